#!/usr/bin/env bash
# Streaming through `apimlite serve` (issue 4 §4): `apimlite mock --stream-delay 200` behind the
# gateway; chunks are relayed as they arrive, the request log has Streamed and the usage; a
# client leaving mid-stream and a backend dying mid-stream end the stream and are logged.
# Usage: stream_test.sh APIMLITE. Output is TAP (skipped without curl or python3).
set -u
bin=${1:?usage: stream_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP curl or python3 missing"
    exit 0
fi

start mock "$bin" mock --listen 127.0.0.1:0 --stream-delay 200; MOCK=$ADDR
# a backend that sends one SSE event, then drops the connection mid-body
cat >"$tmp/dying.py" <<'PY'
import http.server, socket, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(200); self.send_header('Content-Type', 'text/event-stream')
        self.send_header('Transfer-Encoding', 'chunked'); self.end_headers()
        ev = b'data: {"choices":[{"index":0,"delta":{"content":"half"}}]}\n\n'
        self.wfile.write(b'%x\r\n%s\r\n' % (len(ev), ev)); self.wfile.flush()
        time.sleep(0.3)
        self.connection.shutdown(socket.SHUT_RDWR); self.connection.close()
        self.close_connection = True
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print('listening on 127.0.0.1:%d' % s.server_port, flush=True)
s.serve_forever()
PY
start dying python3 "$tmp/dying.py"; DYING=$ADDR

cat >"$tmp/api.xml" <<'XML'
<policies>
    <inbound><base /></inbound>
    <backend><forward-request timeout="30" /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
# outbound reads the body as JSON: fails on a relayed stream after the client got its 200
cat >"$tmp/reads.xml" <<'XML'
<policies>
    <inbound><base /></inbound>
    <backend><forward-request timeout="30" /></backend>
    <outbound><set-variable name="j" value="@(context.Response.Body.As<JObject>(preserveContent: true).ToString())" /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF2
listen: 127.0.0.1:1
apis:
  aoai:
    path: openai
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: $tmp/api.xml
  dying:
    path: dying
    serviceUrl: http://$DYING/openai
    subscriptionRequired: false
    policy: $tmp/api.xml
  reads:
    path: reads
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: $tmp/reads.xml
logs: { path: $tmp/requests.jsonl }
EOF2
start gateway "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=http://$ADDR; GWPID=$PID
path=/openai/deployments/gpt-4o/chat/completions?api-version=2024-02-01
msgs='"messages":[{"role":"user","content":"tell me a story about streams"}],"max_tokens":12'

# 1. a streamed chat completion with include_usage: relayed as it arrives
t=$(curl -sN -m 20 -o "$tmp/s1" -w '%{http_code} %{time_starttransfer} %{time_total}' \
    -H 'Content-Type: application/json' \
    --data "{$msgs,\"stream\":true,\"stream_options\":{\"include_usage\":true}}" "$GW$path")
check "streamed: 200, first byte well before the end, data: [DONE]" python3 -c "
code, first, total = '$t'.split(); first = float(first); total = float(total)
assert code == '200', code
assert total > 1.5, ('the mock streams 12 words 200 ms apart', total)
assert first < total - 0.5, ('not relayed as it arrived', first, total)
body = open('$tmp/s1').read()
assert body.rstrip().endswith('data: [DONE]'), body[-200:]
assert '\"usage\":{\"prompt_tokens\"' in body.replace(' ', ''), body[-400:]"

# 2. streamed without include_usage (the gateway counts the deltas)
curl -sN -m 20 -o "$tmp/s2" -H 'Content-Type: application/json' --data "{$msgs,\"stream\":true}" "$GW$path"
check "streamed without usage: ends with data: [DONE]" grep -q 'data: \[DONE\]' "$tmp/s2"

# 3. not streamed: buffered as before
code=$(curl -s -m 20 -o "$tmp/s3" -w '%{http_code}' -H 'Content-Type: application/json' --data "{$msgs}" "$GW$path")
check "not streamed: 200, one JSON body" python3 -c "
import json; assert '$code' == '200', '$code'; j = json.load(open('$tmp/s3')); assert j['object'] == 'chat.completion', j"

# 4. the client leaves mid-stream: the backend call is cancelled, the request logged
curl -sN -m 0.8 -o /dev/null -H 'Content-Type: application/json' --data "{$msgs,\"stream\":true}" "$GW$path"
# 5. the backend dies mid-stream: the client's stream ends, the request is logged
code=$(curl -sN -m 10 -o "$tmp/s5" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "{$msgs,\"stream\":true}" "$GW/dying/deployments/gpt-4o/chat/completions?api-version=2024-02-01")
check "backend dies mid-stream: the client got the start, then the stream ended" python3 -c "
assert '$code' == '200', '$code'; assert 'half' in open('$tmp/s5').read()"
# 6. an outbound policy fails after the relay started: the log says what the client got
code=$(curl -sN -m 20 -o "$tmp/s6" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "{$msgs,\"stream\":true,\"stream_options\":{\"include_usage\":true}}" \
    "$GW/reads/deployments/gpt-4o/chat/completions?api-version=2024-02-01")
check "outbound fails after the relay: the client got 200 and the stream" python3 -c "
assert '$code' == '200', '$code'; assert 'data: [DONE]' in open('$tmp/s6').read()"

sleep 2.5 # the cancelled request finishes on the gateway's side; the log flushes every second
kill -TERM "$GWPID"
for _ in $(seq 100); do kill -0 "$GWPID" 2>/dev/null || break; sleep 0.05; done
check "request log: Streamed, usage, client gone and backend death logged" python3 -c "
import json
every = [json.loads(l) for l in open('$tmp/requests.jsonl')]
reads = [l for l in every if '/reads/' in l['Url']]
lines = [l for l in every if '/reads/' not in l['Url']]
assert len(lines) == 5 and len(reads) == 1, every
r = reads[0]
assert r['Streamed'] is True and r['ResponseCode'] == 200 and r['LastErrorReason'], r
assert r['PromptTokens'] > 0 and r['CompletionTokens'] > 0 and r['TotalTokens'] > 0, r
a, b, c = lines[0], lines[1], lines[2]
assert a['Streamed'] is True and a['ResponseCode'] == 200 and a['LastErrorReason'] is None, a
assert a['PromptTokens'] > 0 and a['CompletionTokens'] > 0, a
assert a['TotalTokens'] == a['PromptTokens'] + a['CompletionTokens'], a
assert b['Streamed'] is True and b['CompletionTokens'] and b['CompletionTokens'] > 0, b
assert c['Streamed'] is False and c['TotalTokens'] > 0, c
rest = {l['LastErrorReason']: l for l in lines[3:]}
g = rest.get('ClientConnectionFailure'); assert g and g['Streamed'] is True, lines[3:]
assert g['ResponseCode'] == 200 and g['BackendResponseCode'] == 200, g
d = [l for l in lines[3:] if l is not g][0]
assert d['Streamed'] is True and d['LastErrorReason'] in ('BackendConnectionFailure', 'Timeout'), d
"
check "the gateway logged the streams that ended early" grep -q "streamed response ended early" "$tmp/gateway.err"

echo "1..$n"
exit 0
