#!/usr/bin/env bash
# Hostile and broken input against `apimlite serve` (issue 4 item 9): oversize header blocks
# (431 with a JSON body, logged), a malformed request line, CR/LF in a header value set by a
# policy (500, logged, never sent), a client that stops sending its headers for longer than
# --client-timeout (cut), backends that reset the connection, stall past the forward-request
# timeout or answer non-HTTP bytes (5xx with APIM's JSON body, logged), a 10 MB and a malformed
# JSON body through azure-openai-token-limit (a clear answer). The gateway keeps serving and
# exits 0 on SIGTERM (under ASan: no error, no leak). Usage: hostile_test.sh APIMLITE. TAP.
set -u
bin=${1:?usage: hostile_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
need curl python3

start mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
# a raw backend: /reset closes with RST, /stall never answers, /garbage answers non-HTTP bytes
cat >"$tmp/raw.py" <<'PY'
import socket, struct, threading, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0)); srv.listen(64)
print('listening on 127.0.0.1:%d' % srv.getsockname()[1], flush=True)
def serve(c):
    try:
        data = b''
        while b'\r\n\r\n' not in data:
            got = c.recv(65536)
            if not got: return
            data += got
        line = data.split(b'\r\n', 1)[0]
        if b'/reset' in line:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        elif b'/stall' in line:
            time.sleep(20)
        elif b'/garbage' in line:
            c.sendall(b'\x00\xff\xfeSSH-2.0-not-http\r\n\x01\x02garbage\r\n\r\n')
            time.sleep(0.2)
        c.close()
    except OSError:
        pass
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
start raw python3 "$tmp/raw.py"; RAW=$ADDR

cat >"$tmp/plain.xml" <<'XML'
<policies>
    <inbound><base /></inbound>
    <backend><forward-request timeout="2" /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/crlf.xml" <<'XML'
<policies>
    <inbound><base /></inbound>
    <backend><base /></backend>
    <outbound><base /><set-header name="X-Injected" exists-action="override"><value>@("a\r\nSet-Cookie: evil=1")</value></set-header></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/crlf-in.xml" <<'XML'
<policies>
    <inbound><base /><set-header name="X-Injected" exists-action="override"><value>@("a\r\nX-Evil: 1")</value></set-header></inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/tokens.xml" <<'XML'
<policies>
    <inbound><base /><azure-openai-token-limit counter-key="all" tokens-per-minute="100000000" estimate-prompt-tokens="true" /></inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
api() { # api NAME PATH URL POLICY
    printf '  %s:\n    path: %s\n    serviceUrl: %s\n    subscriptionRequired: false\n    policy: %s\n' "$@"
}
{
    echo "listen: 127.0.0.1:1"
    echo "logs: { path: $tmp/requests.jsonl }"
    echo "apis:"
    api openai openai "http://$MOCK/openai" plain.xml
    api reset reset "http://$RAW/reset" plain.xml
    api stall stall "http://$RAW/stall" plain.xml
    api garbage garbage "http://$RAW/garbage" plain.xml
    api refused refused "http://127.0.0.1:1/nothing" plain.xml
    api crlf crlf "http://$MOCK/openai" crlf.xml
    api crlfin crlfin "http://$MOCK/openai" crlf-in.xml
    api tokens tokens "http://$MOCK/openai" tokens.xml
} >"$tmp/gateway.yaml"
start gw "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0 --client-timeout 2 --max-headers 8192
GW=http://$ADDR; GWPID=$PID; HP=${ADDR##*:}
chat='{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
dep=/deployments/gpt-4o/chat/completions?api-version=2024-02-01
# apim CODES NAME: the last response is one of CODES with APIM's JSON error body
apim() {
    python3 -c "
import json, sys
code = open('$tmp/code').read().strip(); assert code in '$1'.split(), code
j = json.load(open('$tmp/body')); assert j['statusCode'] == int(code) and j['message'], j"
}
req() { curl -s -m "${T:-10}" -o "$tmp/body" -w '%{http_code}' "$@" >"$tmp/code"; }

# 1. a header block over --max-headers: 431 with a JSON body
big=$(head -c 9000 /dev/zero | tr '\0' 'a')
req -H "X-Big: $big" "$GW/openai$dep"
check "header block over the limit: 431 with APIM's JSON body" apim 431
# 2. far over (beyond libevent's own cap of twice the limit): libevent refuses it
huge=$(head -c 40000 /dev/zero | tr '\0' 'a')
req -H "X-Big: $huge" "$GW/openai$dep"
check "header block far over the limit: refused (libevent's 413 or a closed connection)" \
    sh -c "grep -qE '^(413|431|400|000)$' '$tmp/code'"
# 3. a malformed request line, then a request line with a bad target
printf 'THIS IS NOT HTTP\r\n\r\n' | timeout 5 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$HP)); s.sendall(sys.stdin.buffer.read()); s.settimeout(3)
print(s.recv(200).decode('latin1').split('\r\n')[0])" >"$tmp/bad1" 2>&1
check "malformed request line: 400 (libevent)" grep -q "^HTTP/1.1 400" "$tmp/bad1"
printf 'GET nothing-absolute HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$HP)); s.sendall(sys.stdin.buffer.read()); s.settimeout(3)
print(s.recv(2000).decode('latin1'))" >"$tmp/bad2" 2>&1
check "a request target that is not a path: 400 with a JSON body" sh -c "grep -q '^HTTP/1.1 400' '$tmp/bad2' && grep -q statusCode '$tmp/bad2'"

# 4. CR/LF in a header value set by a policy: never reaches the client or the backend
curl -s -m 10 -D "$tmp/h4" -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json' --data "$chat" "$GW/crlf$dep" >"$tmp/code"
check "CR/LF in an outbound header: 500, JSON body, no injected header" sh -c "
grep -qx 500 '$tmp/code' && grep -q statusCode '$tmp/body' && ! grep -qi 'set-cookie\|x-injected' '$tmp/h4'"
req -H 'Content-Type: application/json' --data "$chat" "$GW/crlfin$dep"
check "CR/LF in a header to the backend: refused with a 5xx JSON answer" apim "500 502"

# 5. a slow client: it sends part of its headers byte by byte, then nothing for longer than
#    --client-timeout 2: the connection is cut about 2 s after its last byte (libevent's read
#    timeout restarts with each byte: a client trickling faster than that is not cut, see
#    server.h)
timeout 20 python3 - "$HP" >"$tmp/slow" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
for ch in b'GET /openai/x HTTP/1.1\r\nHost: x\r\nX-Slow: aaaa':
    s.send(bytes([ch])); time.sleep(0.05)
t0 = time.time(); s.settimeout(10)
try:
    got = s.recv(100)
    print('closed after %.1f s' % (time.time() - t0) if got == b'' else 'answered %r' % got[:40])
except socket.timeout: print('never closed')
except OSError: print('closed after %.1f s' % (time.time() - t0))
PY
check "slow client: cut after --client-timeout ($(cat "$tmp/slow"))" python3 -c "
t = open('$tmp/slow').read(); assert t.startswith('closed after'), t; assert 1.5 <= float(t.split()[2]) <= 4, t"

# 6. backends that reset, stall, answer garbage or refuse the connection
req -H 'Content-Type: application/json' --data "$chat" "$GW/reset$dep"
check "backend resets the connection: 5xx with APIM's body" apim "500 502 503"
t0=$(date +%s)
T=15 req -H 'Content-Type: application/json' --data "$chat" "$GW/stall$dep"
check "backend stalls past forward-request timeout=2: 5xx within ~2 s" sh -c "apim() { :; }; [ \$(( \$(date +%s) - $t0 )) -le 6 ]"
check "backend stall: APIM's body" apim "500 502 503 504"
req -H 'Content-Type: application/json' --data "$chat" "$GW/garbage$dep"
check "backend answers non-HTTP bytes: 5xx with APIM's body" apim "500 502 503"
req -H 'Content-Type: application/json' --data "$chat" "$GW/refused$dep"
check "backend refuses the connection: 5xx with APIM's body" apim "500 502 503"

# 7. a 10 MB and a malformed JSON body through azure-openai-token-limit
python3 -c "
import json; print(json.dumps({'messages':[{'role':'user','content':'word ' * 2000000}],'max_tokens':5}))" >"$tmp/big.json"
T=60 req -H 'Content-Type: application/json' --data-binary @"$tmp/big.json" "$GW/tokens$dep"
check "10 MB JSON body with a token limit: a clear answer ($(cat "$tmp/code"))" sh -c "grep -qE '^(200|400|413|429|500)$' '$tmp/code'"
req -H 'Content-Type: application/json' --data '{"messages": [ {"role": "user", "content": "unterminated' "$GW/tokens$dep"
check "malformed JSON body with a token limit: a clear answer ($(cat "$tmp/code"))" sh -c "grep -qE '^(200|400|500)$' '$tmp/code'"

# 8. still serving
req -H 'Content-Type: application/json' --data "$chat" "$GW/openai$dep"
check "the gateway still serves: 200" grep -qx 200 "$tmp/code"
kill -TERM "$GWPID"; rc=124
for _ in $(seq 400); do kill -0 "$GWPID" 2>/dev/null || { wait "$GWPID"; rc=$?; break; }; sleep 0.05; done
check "SIGTERM: exit 0, no sanitizer report" sh -c "[ $rc = 0 ] && ! grep -q 'Sanitizer' '$tmp/gw.err'" 
check "request log: 431, CR/LF 500 and backend failures logged with a reason" python3 -c "
import json
lines = [json.loads(l) for l in open('$tmp/requests.jsonl')]
by = {}
for l in lines: by.setdefault(l.get('ApiId') or l['Url'], []).append(l)
a431 = [l for l in lines if l['ResponseCode'] == 431]; assert a431 and a431[0]['LastErrorReason'], lines
crlf = by['crlf'][0]; assert crlf['ResponseCode'] == 500 and crlf['LastErrorReason'] == 'InvalidResponseHeader', crlf
for api in ('reset', 'stall', 'garbage', 'refused'):
    l = by[api][0]; assert l['ResponseCode'] >= 500 and l['LastErrorReason'], l
assert 'a\r\nSet-Cookie' not in open('$tmp/requests.jsonl').read()"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/gw.err" | tail -40
echo "1..$n"
