#!/usr/bin/env bash
# A backend entity's proxy: and tls: settings reach the backend call (DESIGN.md §3 backends):
# calls go through the configured HTTP proxy (absolute-form request, Proxy-Authorization from
# proxy.username/password), a dead proxy is a 5xx (never a silent direct call), and an HTTPS
# backend with a self-signed certificate is refused by default and accepted with
# tls.validateCertificateChain/Name false. Usage: backend_opts_test.sh APIMLITE. TAP.
set -u
bin=${1:?usage: backend_opts_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
need curl openssl python3

start mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
# a forward proxy that logs each request line and Proxy-Authorization, then relays it
cat >"$tmp/proxy.py" <<'PY'
import socket, sys, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0)); srv.listen(16)
print('listening on 127.0.0.1:%d' % srv.getsockname()[1], flush=True)
def serve(c):
    data = b''
    while b'\r\n\r\n' not in data:
        got = c.recv(65536)
        if not got: c.close(); return
        data += got
    head, body = data.split(b'\r\n\r\n', 1)
    lines = head.split(b'\r\n')
    method, target, ver = lines[0].split(b' ')
    auth = [l for l in lines[1:] if l.lower().startswith(b'proxy-authorization:')]
    sys.stderr.write('%s %s auth=%s\n' % (method.decode(), target.decode(), auth[0].split(b':', 1)[1].strip().decode() if auth else '-'))
    sys.stderr.flush()
    hostport = target.split(b'//', 1)[1].split(b'/', 1)[0].decode()
    path = b'/' + target.split(b'//', 1)[1].split(b'/', 1)[1]
    n = 0
    for l in lines[1:]:
        if l.lower().startswith(b'content-length:'): n = int(l.split(b':')[1])
    while len(body) < n: body += c.recv(65536)
    keep = [l for l in lines[1:] if not l.lower().startswith((b'proxy-', b'connection:'))]
    h, p = hostport.rsplit(':', 1)
    u = socket.create_connection((h, int(p)))
    u.sendall(b'%s %s HTTP/1.1\r\n%s\r\nConnection: close\r\n\r\n%s' % (method, path, b'\r\n'.join(keep), body))
    resp = b''
    while True:
        got = u.recv(65536)
        if not got: break
        resp += got
    c.sendall(resp.replace(b'Connection: keep-alive', b'Connection: close')); c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
start proxy python3 "$tmp/proxy.py"; PROXY=$ADDR
# an HTTPS backend: a second gateway with a self-signed certificate in front of the mock
mkdir -p "$tmp/tls"
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" >"$tmp/openssl.log" 2>&1; then
    echo "1..0 # SKIP openssl req failed: $(tail -1 "$tmp/openssl.log")"; exit 0
fi
cat >"$tmp/front.yaml" <<EOF
listen: 127.0.0.1:1
tls: { cert: tls/cert.pem, key: tls/key.pem }
apis:
  openai: { path: openai, serviceUrl: "http://$MOCK/openai", subscriptionRequired: false }
EOF
start front "$bin" serve "$tmp/front.yaml" --listen 127.0.0.1:0; FRONT=$ADDR

api() { # api NAME BACKEND-ID
    cat <<EOF
  $1:
    path: $1
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: $tmp/$2.xml
EOF
}
for b in viaproxy deadproxy strict lenient; do
    cat >"$tmp/$b.xml" <<EOF
<policies>
    <inbound><base /><set-backend-service backend-id="$b" /></inbound>
    <backend><forward-request timeout="10" /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
EOF
done
{
    echo "listen: 127.0.0.1:1"
    echo "backends:"
    echo "  viaproxy: { url: http://$MOCK/openai, proxy: { url: http://$PROXY, username: pxuser, password: pxsecret } }"
    echo "  deadproxy: { url: http://$MOCK/openai, proxy: { url: http://127.0.0.1:1 } }"
    echo "  strict: { url: https://$FRONT/openai }"
    echo "  lenient: { url: https://$FRONT/openai, tls: { validateCertificateChain: false, validateCertificateName: false } }"
    echo "apis:"
    api viaproxy viaproxy; api deadproxy deadproxy; api strict strict; api lenient lenient
} >"$tmp/gateway.yaml"
start gw "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=http://$ADDR

chat='{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
dep=/deployments/gpt-4o/chat/completions?api-version=2024-02-01
req() { curl -s -m 15 -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json' --data "$chat" "$GW/$1$dep"; }

check "proxy: the call succeeds through the configured proxy" test "$(req viaproxy)" = 200
check "proxy: the proxy saw the absolute-form request with the proxy credentials" sh -c "
grep -q '^POST http://$MOCK/openai/deployments/gpt-4o/chat/completions' '$tmp/proxy.err' &&
grep -q 'auth=Basic $(printf pxuser:pxsecret | base64)' '$tmp/proxy.err'"
code=$(req deadproxy)
check "dead proxy: a 5xx, not a direct call ($code)" sh -c "case $code in 5??) exit 0;; *) exit 1;; esac"
code=$(req strict)
check "self-signed HTTPS backend with default validation: refused ($code)" sh -c "case $code in 5??) exit 0;; *) exit 1;; esac"
check "self-signed HTTPS backend with validation off: 200" test "$(req lenient)" = 200
echo "1..$n"
