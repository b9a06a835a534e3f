#!/usr/bin/env bash
# QA of `apimlite serve` HTTP edge cases (issue 4 item 9), driven with raw sockets: request
# paths with dot segments refused (400, never forwarded: a backend resolving "/api/../x" would
# serve outside the API's serviceUrl), pipelined requests, chunked request bodies (and a
# malformed chunk size), Expect: 100-continue, HTTP/1.0 with and without keep-alive, HEAD (no
# body), backends answering chunked, with a short body, 204, 304, a 1xx before the answer, a
# redirect (not followed), an oversize header; a client leaving in the middle of a streamed
# reply and of a buffered request; 2,000 connections opened and closed. The gateway keeps
# serving and exits 0 on SIGTERM (under ASan: no error, no leak). Usage: qa_http_test.sh
# APIMLITE. TAP.
set -u
bin=${1:?usage: qa_http_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
need python3

cat >"$tmp/raw.py" <<'PY'
# a raw backend: the behaviour is the path segment after /raw/; it logs each request line
import socket, sys, threading, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0)); srv.listen(256)
print('listening on 127.0.0.1:%d' % srv.getsockname()[1], flush=True)
def reply(status, hdrs, body=b'', cl=True):
    h = 'HTTP/1.1 %s\r\n' % status + ''.join('%s: %s\r\n' % kv for kv in hdrs)
    if cl: h += 'Content-Length: %d\r\n' % len(body)
    return h.encode() + b'\r\n' + body
def chunk(b): return b'%x\r\n' % len(b) + b + b'\r\n'
def serve(c):
    try:
        data = b''
        while b'\r\n\r\n' not in data:
            got = c.recv(65536)
            if not got: return
            data += got
        head, body = data.split(b'\r\n\r\n', 1)
        line = head.split(b'\r\n', 1)[0].decode('latin1')
        sys.stderr.write('got %s\n' % line); sys.stderr.flush()
        kind = line.split(' ')[1].split('/raw/', 1)[-1].split('?')[0].split('/')[0]
        J = [('Content-Type', 'application/json')]
        if kind == 'echo':
            cl = 0
            for l in head.decode('latin1').split('\r\n')[1:]:
                k, v = l.split(':', 1)
                if k.lower() == 'content-length': cl = int(v)
            while len(body) < cl:
                got = c.recv(65536)
                if not got: break
                body += got
            c.sendall(reply('200 OK', [('Content-Type', 'text/plain')], head + b'\r\n\r\n' + body))
        elif kind == 'chunked':
            c.sendall(reply('200 OK', J + [('Transfer-Encoding', 'chunked')], cl=False) +
                      chunk(b'{"a":') + chunk(b'1}') + b'0\r\n\r\n')
        elif kind == 'short':
            c.sendall(reply('200 OK', J + [('Content-Length', '100')], cl=False) + b'{"a":1}')
            time.sleep(0.1)
        elif kind == 'e204':
            c.sendall(reply('204 No Content', [], cl=False)); time.sleep(0.2)
        elif kind == 'e304':
            c.sendall(reply('304 Not Modified', [('ETag', '"x"')], cl=False)); time.sleep(0.2)
        elif kind == 'e103':
            c.sendall(b'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n' + reply('200 OK', J, b'{"ok":1}'))
        elif kind == 'redirect':
            c.sendall(reply('302 Found', [('Location', '/raw/echo')]))
        elif kind == 'hugehdr':
            c.sendall(reply('200 OK', J + [('X-Huge', 'v' * 300000)], b'{}'))
        elif kind == 'ssefirst':
            # an event stream nobody asked for: one event, a pause, the rest
            c.sendall(reply('200 OK', [('Content-Type', 'text/event-stream; charset=utf-8'), ('Transfer-Encoding', 'chunked')], cl=False) +
                      chunk(b'data: {"first":1}\n\n'))
            time.sleep(1.5)
            c.sendall(chunk(b'data: [DONE]\n\n') + b'0\r\n\r\n')
        elif kind == 'slowbody':
            # a buffered answer whose body stops after the headers
            c.sendall(reply('200 OK', J + [('Content-Length', '100')], cl=False) + b'{"a":')
            time.sleep(20)
        elif kind == 'sse':
            c.sendall(reply('200 OK', [('Content-Type', 'text/event-stream'), ('Transfer-Encoding', 'chunked')], cl=False))
            try:
                for i in range(100):
                    c.sendall(chunk(b'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n')); time.sleep(0.05)
                c.sendall(b'0\r\n\r\n')
                sys.stderr.write('sse completed\n')
            except OSError:
                sys.stderr.write('sse cut\n')
            sys.stderr.flush()
        else:
            c.sendall(reply('200 OK', J, b'{"raw":"%s"}' % kind.encode()))
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
    <backend><forward-request timeout="5" /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<YAML
listen: 127.0.0.1:1
logs: { path: $tmp/requests.jsonl }
apis:
  raw: { path: raw, serviceUrl: "http://$RAW/raw", subscriptionRequired: false, policy: plain.xml }
YAML
start gw "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0 --client-timeout 5
GWPID=$PID; HP=${ADDR##*:}

cat >"$tmp/send.py" <<'PY'
# send.py PORT BYTES [SECONDS]: sends BYTES (a Python bytes literal), prints what comes back
# until EOF (then "<EOF>") or SECONDS pass
import ast, socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(ast.literal_eval(sys.argv[2]))
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 3
s.settimeout(wait); out = b''; t0 = time.time()
try:
    while time.time() - t0 < wait:
        got = s.recv(65536)
        if not got: out += b'<EOF>'; break
        out += got
except (socket.timeout, OSError): pass
sys.stdout.write(out.decode('latin1'))
PY
send() { timeout 15 python3 "$tmp/send.py" "$HP" "$@" >"$tmp/out" 2>&1; }
has() { grep -qa -- "$1" "$tmp/out" || { echo "no '$1' in:"; head -c 1500 "$tmp/out"; return 1; }; }
hasnt() { ! grep -qa -- "$1" "$tmp/out" || { echo "'$1' in:"; head -c 1500 "$tmp/out"; return 1; }; }
count() { [ "$(grep -ac -- "$1" "$tmp/out")" = "$2" ] || { echo "not $2 x '$1' in:"; head -c 1500 "$tmp/out"; return 1; }; }
C='Host: x\r\nConnection: close\r\n'

# 1. dot segments: refused before routing, never forwarded
for p in '/raw/a/../../admin' '/raw/a/%2e%2E/%2E./admin' '/raw/./a' '/raw/a/..%2F..%2fadmin' '/raw/a/..%5cadmin'; do
    send "b'GET $p HTTP/1.1\r\n$C\r\n'"
    check "dot segments in '$p': 400 with APIM's JSON body" sh -c "grep -qa '^HTTP/1.1 400' '$tmp/out' && grep -qa 'Bad request target' '$tmp/out'"
done
check "dot segments: nothing reached the backend" sh -c "! grep -q 'admin\|/raw/\./a' '$tmp/raw.err'"
send "b'GET /raw/v1..2/x.y?q=/../z HTTP/1.1\r\n$C\r\n'"
check "dots inside segments and in the query are forwarded" has '"raw":"v1..2"'

# 2. pipelining: three requests in one write, three answers in order
send "b'GET /raw/p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /raw/p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /raw/p3 HTTP/1.1\r\n$C\r\n'"
check "pipelined requests: three answers in order" python3 -c "
t = open('$tmp/out', encoding='latin1').read()
i = [t.find('\"raw\":\"p%d\"' % k) for k in (1, 2, 3)]; assert -1 < i[0] < i[1] < i[2], t[:800]"

# 3. chunked request bodies; a malformed chunk size is refused and the gateway goes on
send "b'POST /raw/echo HTTP/1.1\r\n${C}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'"
check "chunked request body: forwarded whole with a Content-Length" sh -c "grep -qa 'Content-Length: 11' '$tmp/out' && grep -qa 'hello world' '$tmp/out'"
for bad in zz -5 ffffffffffffffffffff; do
    send "b'POST /raw/echo HTTP/1.1\r\n${C}Transfer-Encoding: chunked\r\n\r\n$bad\r\nhello\r\n0\r\n\r\n'"
    check "malformed chunk size '$bad': a 4xx" grep -qaE '^HTTP/1.1 4[0-9][0-9]' "$tmp/out"
done
send "b'POST /raw/echo HTTP/1.1\r\n${C}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'"
check "Content-Length with Transfer-Encoding: 400" grep -qa '^HTTP/1.1 400' "$tmp/out"

# 4. Expect: 100-continue (the body follows at once) is answered; the Expect line goes on
# an event-stream answer to a request that did not ask for a stream is relayed as it arrives;
# a buffered answer whose body stalls after its headers still times out (forward-request 5 s)
timeout 15 python3 - "$HP" >"$tmp/ssefirst" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET /raw/ssefirst HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
t0 = time.time(); got = b''; first = None
while True:
    b = s.recv(65536)
    if not b: break
    got += b
    if first is None and b'{"first":1}' in got: first = time.time() - t0
print('first %.2f end %.2f' % (first if first is not None else -1, time.time() - t0))
PY
check "unasked text/event-stream answer: first event relayed before the stream ends ($(cat "$tmp/ssefirst"))" python3 -c "
t = open('$tmp/ssefirst').read().split(); first, end = float(t[1]), float(t[3])
assert 0 <= first < 1.0 and end >= 1.4, t"
t0=$(date +%s%N)
code=$(curl -s -m 15 -o "$tmp/body" -w '%{http_code}' "http://127.0.0.1:$HP/raw/slowbody")
el=$(( ($(date +%s%N) - t0) / 1000000 ))
check "buffered answer stalling after its headers: 5xx at the forward-request timeout ($code after $el ms)" sh -c "case $code in 5??) [ $el -ge 4500 ] && [ $el -le 9000 ];; *) exit 1;; esac"

# absolute-form targets are routed by their path; two Content-Length lines are refused (smuggling)
send "b'GET http://x/raw/echo?abs=1 HTTP/1.1\r\n$C\r\n'"
check "absolute-form request target: routed by its path (200)" has 'HTTP/1.1 200'
send "b'POST /raw/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 11\r\n\r\nhelloGET /raw/x HTTP/1.1\r\n\r\n'"
check "two Content-Length lines: 400 and the connection is closed" sh -c "grep -qa '^HTTP/1.1 400' '$tmp/out' && grep -qa '<EOF>' '$tmp/out' && [ \$(grep -ac '^HTTP/1.1' '$tmp/out') = 1 ]"
send "b'POST /raw/echo HTTP/1.1\r\n${C}Content-Length: 5\r\nExpect: 100-continue\r\n\r\nhello'"
check "Expect: 100-continue: 200 with the body forwarded" sh -c "grep -qa '^HTTP/1.1 200' '$tmp/out' && grep -qa 'hello' '$tmp/out'"

# 5. HTTP/1.0: closed after the answer; with keep-alive, two answers on one connection
send "b'GET /raw/h10 HTTP/1.0\r\n\r\n'" 5
check "HTTP/1.0: a 1.0 answer, then the connection closes" sh -c "grep -qa '^HTTP/1.0 200' '$tmp/out' && grep -qa '<EOF>' '$tmp/out'"
send "b'GET /raw/k1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /raw/k2 HTTP/1.0\r\n\r\n'" 5
check "HTTP/1.0 keep-alive: both answered" sh -c "grep -qa '\"raw\":\"k1\"' '$tmp/out' && grep -qa '\"raw\":\"k2\"' '$tmp/out'"

# 6. HEAD: headers only; the next request on the connection is read correctly
send "b'HEAD /raw/hd HTTP/1.1\r\nHost: x\r\n\r\nGET /raw/after HTTP/1.1\r\n$C\r\n'"
check "HEAD: no body, the next request answered" sh -c "
grep -qa '\"raw\":\"after\"' '$tmp/out' && ! grep -qa '\"raw\":\"hd\"' '$tmp/out' && [ \$(grep -ac '^HTTP/1.1 200' '$tmp/out') = 2 ]"

# 7. backend answers
send "b'GET /raw/chunked HTTP/1.1\r\n$C\r\n'"
check "chunked backend answer: relayed whole" has '{"a":1}'
send "b'GET /raw/short HTTP/1.1\r\n$C\r\n'"
check "backend body shorter than its Content-Length: 5xx with APIM's body" sh -c "grep -qaE '^HTTP/1.1 5[0-9][0-9]' '$tmp/out' && grep -qa statusCode '$tmp/out'"
send "b'GET /raw/e204 HTTP/1.1\r\n$C\r\n'"
check "204 from the backend: 204, no body" sh -c "grep -qa '^HTTP/1.1 204' '$tmp/out' && ! grep -qa 'Content-Length: [1-9]' '$tmp/out'"
send "b'GET /raw/e304 HTTP/1.1\r\n$C\r\n'"
check "304 from the backend: 304 with its ETag" sh -c "grep -qa '^HTTP/1.1 304' '$tmp/out' && grep -qai '^ETag: \"x\"' '$tmp/out'"
send "b'GET /raw/e103 HTTP/1.1\r\n$C\r\n'"
check "a 1xx before the answer: the final 200" sh -c "grep -qa '^HTTP/1.1 200' '$tmp/out' && grep -qa '\"ok\":1' '$tmp/out' && ! grep -qa '^HTTP/1.1 103' '$tmp/out'"
send "b'GET /raw/redirect HTTP/1.1\r\n$C\r\n'"
check "a redirect is relayed, not followed" sh -c "grep -qa '^HTTP/1.1 302' '$tmp/out' && grep -qai '^Location: /raw/echo' '$tmp/out'"
send "b'GET /raw/hugehdr HTTP/1.1\r\n$C\r\n'"
check "a 300 KB backend header: 5xx with APIM's body" sh -c "grep -qaE '^HTTP/1.1 5[0-9][0-9]' '$tmp/out' && grep -qa statusCode '$tmp/out'"

# 8. clients leaving: in the middle of a streamed reply (the backend call is cancelled, the
#    gateway logs it) and in the middle of a buffered request body
python3 - "$HP" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
for i in range(3):
    s = socket.create_connection(('127.0.0.1', port))
    b = b'{"stream":true,"messages":[]}'
    s.sendall(b'POST /raw/sse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(b) + b)
    s.recv(4096); time.sleep(0.2); s.close()
for i in range(3):
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(b'POST /raw/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc'); time.sleep(0.1); s.close()
PY
for _ in $(seq 60); do [ "$(grep -c 'sse cut' "$tmp/raw.err")" = 3 ] && break; sleep 0.1; done
check "client gone mid-stream: the backend stream is cut (3 of 3)" sh -c "[ \$(grep -c 'sse cut' '$tmp/raw.err') = 3 ] && ! grep -q 'sse completed' '$tmp/raw.err'"
check "client gone mid-stream: logged" grep -q "ClientConnectionFailure" "$tmp/gw.err"

# 9. 2,000 connections opened at once (half of them send a request), then all closed
python3 - "$HP" >"$tmp/many" 2>&1 <<'PY'
import resource, socket, sys
port = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
n = min(2000, min(hard, 4096) - 50); socks = []
for i in range(n):
    socks.append(socket.create_connection(('127.0.0.1', port)))
for s in socks[::2]:
    s.sendall(b'GET /raw/many HTTP/1.1\r\nHost: x\r\n\r\n')
for s in socks: s.close()
print('opened', n)
PY
send "b'GET /raw/alive HTTP/1.1\r\n$C\r\n'" 10
check "after $(cat "$tmp/many"): the gateway still serves" has '"raw":"alive"'

kill -TERM "$GWPID"; wait "$GWPID"; rc=$?
check "SIGTERM: exit 0, no sanitizer report" sh -c "[ $rc = 0 ] && ! grep -q 'Sanitizer\|LeakSanitizer\|runtime error' '$tmp/gw.err'"
echo "1..$n"
[ "$failed" = 0 ]
