#!/usr/bin/env bash
# TLS termination of `apimlite serve` (tls: { cert, key }): a self-signed certificate made with
# the openssl CLI, the gateway in front of `apimlite mock`, driven with curl --cacert; plain
# HTTP to the TLS port fails cleanly and the gateway keeps serving; TLS 1.1 is refused; with
# workers: 2 both workers serve TLS; a key that does not match, or a missing file, is refused
# at startup with file:line:col. Usage: tls_test.sh APIMLITE. Output is TAP.
set -u
bin=${1:?usage: tls_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
need curl openssl python3

# a self-signed certificate for 127.0.0.1 / localhost, and a second key that matches nothing
mkdir -p "$tmp/tls"
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" >"$tmp/openssl.log" 2>&1; then
    echo "1..0 # SKIP openssl req failed: $(tail -1 "$tmp/openssl.log")"; exit 0
fi
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/tls/other.pem" >/dev/null 2>&1

start mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
cat >"$tmp/hdr.xml" <<'XML'
<policies>
    <inbound><base /></inbound>
    <backend><base /></backend>
    <outbound><base /><set-header name="X-Gateway" exists-action="override"><value>tls</value></set-header></outbound>
    <on-error><base /></on-error>
</policies>
XML
gwconf() { # gwconf FILE WORKERS KEYFILE
    cat >"$1" <<EOF
listen: 127.0.0.1:1
workers: $2
tls: { cert: tls/cert.pem, key: $3 }
logs: { path: $tmp/requests.jsonl }
apis:
  openai:
    path: openai
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: hdr.xml
EOF
}
gwconf "$tmp/gateway.yaml" 1 tls/key.pem
start gw "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=$ADDR; GWPID=$PID
port=${GW##*:}
chat='{"messages":[{"role":"user","content":"hi over tls"}],"max_tokens":5}'
path=/openai/deployments/gpt-4o/chat/completions?api-version=2024-02-01

# 1. HTTPS with the certificate verified
code=$(curl -s -m 10 --cacert "$tmp/tls/cert.pem" -D "$tmp/h1" -o "$tmp/r1" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data "$chat" "https://localhost:$port$path")
check "https with --cacert: 200 from the mock through the policy" python3 -c "
import json; assert '$code' == '200', '$code'
j = json.load(open('$tmp/r1')); assert j['object'] == 'chat.completion', j
h = open('$tmp/h1').read().lower(); assert 'x-gateway: tls' in h, h"

# 2. plain HTTP to the TLS port: no HTTP answer, the connection is closed
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path"); rc=$?
check "plain http to the TLS port fails cleanly (curl rc $rc, code $code)" test "$code" = 000 -a "$rc" != 28

# 3. raw garbage, then a TLS client that disconnects mid-handshake
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$port)); s.sendall(sys.stdin.buffer.read()); s.settimeout(3)
try: s.recv(100)
except Exception: pass" >/dev/null 2>&1
printf '\x16\x03\x01\x00\xff\x01\x00' | timeout 3 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$port)); s.sendall(sys.stdin.buffer.read()); s.close()" >/dev/null 2>&1
# 4. TLS 1.1 is refused
code=$(curl -s -m 5 -k --tlsv1.1 --tls-max 1.1 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port$path" 2>/dev/null)
check "TLS 1.1 is refused" test "$code" = 000

# 5. still serving, keep-alive over TLS
out=$(curl -s -m 10 --cacert "$tmp/tls/cert.pem" -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' \
    -H 'Content-Type: application/json' --data "$chat" "https://localhost:$port$path" "https://localhost:$port$path")
check "after bad clients the gateway still serves (two requests, one TLS connection)" test "$(echo $out)" = "200 1 200 0"
proto=$(curl -s -m 10 --cacert "$tmp/tls/cert.pem" -o /dev/null -w '%{http_code}' --tlsv1.2 --tls-max 1.2 \
    -H 'Content-Type: application/json' --data "$chat" "https://localhost:$port$path")
check "TLS 1.2 is accepted" test "$proto" = 200
kill -0 "$GWPID" 2>/dev/null && ok "gateway alive" || not_ok "gateway died" "$(cat "$tmp/gw.err")"
kill -TERM "$GWPID"; rc=124
for _ in $(seq 200); do kill -0 "$GWPID" 2>/dev/null || { wait "$GWPID"; rc=$?; break; }; sleep 0.05; done
check "SIGTERM: exit 0" test "$rc" = 0

# 6. workers: 2: every worker serves TLS (new connections spread over both)
gwconf "$tmp/gw2.yaml" 2 tls/key.pem
start gw2 "$bin" serve "$tmp/gw2.yaml" --listen 127.0.0.1:0; port=${ADDR##*:}; GW2PID=$PID
codes=
for _ in $(seq 12); do
    codes="$codes $(curl -s -m 10 --cacert "$tmp/tls/cert.pem" -o /dev/null -w '%{http_code}' \
        -H 'Content-Type: application/json' --data "$chat" "https://localhost:$port$path")"
done
check "workers: 2: 12 TLS requests on new connections all 200" test "$(echo $codes | tr ' ' '\n' | grep -c '^200$')" = 12
kill -TERM "$GW2PID"

# 7. a key that does not match the certificate: startup refused, error at the YAML value
gwconf "$tmp/bad.yaml" 1 tls/other.pem
"$bin" serve "$tmp/bad.yaml" --listen 127.0.0.1:0 >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
check "mismatched key: exit $rc, error at bad.yaml:3:" grep -q "bad.yaml:3:[0-9]*: error: tls: 'key'.*does not match" "$tmp/bad.err"
# 8. a missing certificate file: apimlite check --config reports it at file:line:col
gwconf "$tmp/bad2.yaml" 1 tls/key.pem
sed -i 's#tls/cert.pem#tls/missing.pem#' "$tmp/bad2.yaml"
"$bin" check --config "$tmp/bad2.yaml" >"$tmp/bad2.out" 2>&1; rc=$?
check "missing cert: check exits 1 with file:line:col" sh -c "[ $rc = 1 ] && grep -q \"bad2.yaml:3:[0-9]*: error: tls: 'cert': cannot read\" '$tmp/bad2.out'"
# 9. a key file given as cert
sed -i 's#tls/missing.pem#tls/key.pem#' "$tmp/bad2.yaml"
"$bin" check --config "$tmp/bad2.yaml" >"$tmp/bad3.out" 2>&1
check "a key given as cert: 'holds no PEM certificate'" grep -q "holds no PEM certificate" "$tmp/bad3.out"
# 10. counters: URLs (config): redis:// and unix:///path accepted, rediss:// and relative
#     unix:// paths refused at file:line:col
for u in redis://127.0.0.1:6379/0 unix:///tmp/redis.sock rediss://127.0.0.1:6380/0 unix://relative.sock; do
    printf 'counters: %s\n' "$u" >"$tmp/c.yaml"
    "$bin" check --config "$tmp/c.yaml" >"$tmp/c.out" 2>&1; echo "$u $?" >>"$tmp/counters"
    grep -q "c.yaml:1:11: error" "$tmp/c.out" && echo "$u at-1:11" >>"$tmp/counters"
done
check "counters: redis:// and unix:/// accepted; rediss:// and unix://relative refused at 1:11" \
    test "$(tr '\n' ' ' <"$tmp/counters")" = "redis://127.0.0.1:6379/0 0 unix:///tmp/redis.sock 0 rediss://127.0.0.1:6380/0 1 rediss://127.0.0.1:6380/0 at-1:11 unix://relative.sock 1 unix://relative.sock at-1:11 "
echo "1..$n"
