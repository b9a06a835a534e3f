#!/usr/bin/env bash
# Hostile and broken input against `apimlite serve` (issue 4 item 9): oversize header blocks
# (431 with a JSON body, logged), a malformed request line, CR/LF in a header value set by a
# policy (500, logged, never sent), a client that stops sending its headers for longer than
# --client-timeout (cut), backends that reset the connection, stall past the forward-request
# timeout or answer non-HTTP bytes (5xx with APIM's JSON body, logged), a 10 MB and a malformed
# JSON body through azure-openai-token-limit (a clear answer); a client trickling its headers
# byte by byte (slowloris) is cut --client-timeout after its first byte; libevent's own 400
# and 413 are logged and counted. The gateway keeps serving and
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
start gw "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0 --client-timeout 2 --max-headers 8192 --max-body 12000000 \
    --metrics-listen 127.0.0.1:0
GW=http://$ADDR; GWPID=$PID; HP=${ADDR##*:}
for _ in $(seq 50); do MET=$(sed -n 's/^metrics on //p' "$tmp/gw.out"); [ -n "$MET" ] && break; sleep 0.05; done
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
printf 'POST /openai/x HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n' | timeout 5 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$HP)); s.sendall(sys.stdin.buffer.read()); s.settimeout(3)
print(s.recv(200).decode('latin1').split('\r\n')[0])" >"$tmp/bad3" 2>&1
check "a body over --max-body: 413 (libevent)" grep -q "^HTTP/1.1 413" "$tmp/bad3"
printf 'BREW /openai/x HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$HP)); s.sendall(sys.stdin.buffer.read()); s.settimeout(3)
print(s.recv(200).decode('latin1').split('\r\n')[0])" >"$tmp/bad4" 2>&1
check "an unknown method: 501 (libevent)" grep -q "^HTTP/1.1 501" "$tmp/bad4"

# 4. CR/LF in a header value set by a policy: never reaches the client or the backend
curl -s -m 10 -D "$tmp/h4" -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json' --data "$chat" "$GW/crlf$dep" >"$tmp/code"
check "CR/LF in an outbound header: 500, JSON body, no injected header" sh -c "
grep -qx 500 '$tmp/code' && grep -q statusCode '$tmp/body' && ! grep -qi 'set-cookie\|x-injected' '$tmp/h4'"
req -H 'Content-Type: application/json' --data "$chat" "$GW/crlfin$dep"
check "CR/LF in a header to the backend: refused with a 5xx JSON answer" apim "500 502"

# 5. slow clients. (a) it sends part of its headers, then nothing: cut --client-timeout 2
#    later; (b) slowloris: it trickles a header byte every 0.3 s (each byte restarts
#    libevent's read timeout): cut about 2 s after its first byte all the same, with a 408
#    request log line; (c) one that trickles a whole request within the limit is answered.
cat >"$tmp/slow.py" <<'PY'
import socket, sys, time
port, gap, n, tail = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == 'tail'
s = socket.create_connection(('127.0.0.1', port))
msg = b'GET /openai/x HTTP/1.1\r\nHost: x\r\nX-Slow: ' + b'a' * 200
t0 = time.time()
try:
    for ch in msg[:n]:
        s.send(bytes([ch])); time.sleep(gap)
    if tail:
        s.send(b'\r\n\r\n')
    s.settimeout(10)
    got = s.recv(100)
    print('closed after %.1f s' % (time.time() - t0) if got == b'' else 'answered %s' % got[:12].decode('latin1'))
except socket.timeout: print('never closed')
except OSError: print('closed after %.1f s' % (time.time() - t0))
PY
timeout 20 python3 "$tmp/slow.py" "$HP" 0.02 30 no >"$tmp/slow" 2>&1
check "slow client that stops: cut after --client-timeout ($(cat "$tmp/slow"))" python3 -c "
t = open('$tmp/slow').read(); assert t.startswith('closed after'), t; assert 1.5 <= float(t.split()[2]) <= 4, t"
timeout 30 python3 "$tmp/slow.py" "$HP" 0.3 100 no >"$tmp/slow2" 2>&1
check "slowloris (a byte every 0.3 s): cut ~2 s after its first byte ($(cat "$tmp/slow2"))" python3 -c "
t = open('$tmp/slow2').read(); assert t.startswith('closed after'), t; assert 1.5 <= float(t.split()[2]) <= 4, t"
timeout 20 python3 "$tmp/slow.py" "$HP" 0.02 40 tail >"$tmp/slow3" 2>&1
check "a slow client within the limit is answered ($(cat "$tmp/slow3"))" grep -q "^answered HTTP/1.1" "$tmp/slow3"

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
curl -s -m 5 "http://$MET/metrics" >"$tmp/metrics"
check "metrics: client errors by status (libevent's 400, 413, 501; 408 cuts; 431)" python3 -c "
import re
t = open('$tmp/metrics').read()
got = {m.group(2): float(m.group(3)) for m in re.finditer(r'^apimlite_client_errors_total\{reason=\"(\w+)\",status=\"(\d+)\"\} (\S+)$', t, re.M)}
assert got.get('400', 0) >= 2 and got.get('413', 0) >= 1 and got.get('501', 0) >= 1 and got.get('408', 0) >= 2 and got.get('431', 0) >= 1, got"
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
assert 'a\r\nSet-Cookie' not in open('$tmp/requests.jsonl').read()
codes = [(l['ResponseCode'], l['LastErrorReason']) for l in lines]
assert (400, 'BadRequest') in codes and (413, 'PayloadTooLarge') in codes, codes
assert (501, 'MethodNotImplemented') in codes and codes.count((431, 'RequestHeaderFieldsTooLarge')) == 1, codes
assert codes.count((408, 'RequestTimeout')) >= 2, codes"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/gw.err" | tail -40
echo "1..$n"
