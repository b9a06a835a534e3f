#!/usr/bin/env bash
# Loopback tests of `apimlite serve` in front of `apimlite mock` backends (and a python3 echo
# backend), driven with the curl CLI. Usage: serve_test.sh APIMLITE. Output is TAP. Every
# process listens on 127.0.0.1:0 and prints its address first; the EXIT trap kills them all.
set -u
bin=${1:?usage: serve_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP curl or python3 missing"
    exit 0
fi

start primary "$bin" mock --listen 127.0.0.1:0 --rpm 1; PRIMARY=$ADDR
start secondary "$bin" mock --listen 127.0.0.1:0; SECONDARY=$ADDR
cat >"$tmp/echo.py" <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0)); body = self.rfile.read(n).decode()
        out = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}).encode()
        self.send_response(200); self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(out))); self.end_headers(); self.wfile.write(out)
    do_GET = do_POST
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print('listening on 127.0.0.1:%d' % s.server_port, flush=True)
s.serve_forever()
PY
start echo python3 "$tmp/echo.py"; ECHO=$ADDR

mkdir -p "$tmp/policies"
cat >"$tmp/policies/echo.xml" <<'XML'
<policies>
    <inbound><base /><set-backend-service backend-id="echo-be" /></inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
pol=$root/samples/rate-limits-failover/policies
cat >"$tmp/gateway.yaml" <<EOF2
listen: 127.0.0.1:1
policy: $pol/global.xml
backends:
  primary:
    url: http://$PRIMARY/openai
    credentials: { header: { api-key: ["{{primary-key}}"] } }
  secondary:
    url: http://$SECONDARY/openai
    credentials: { header: { api-key: ["{{secondary-key}}"] } }
  echo-be:
    url: http://$ECHO/base
    credentials: { header: { api-key: ["backend-secret"] } }
namedValues:
  primary-key: { value: mock-primary-key, secret: true }
  secondary-key: { value: mock-secondary-key, secret: true }
apis:
  azure-openai:
    path: openai
    serviceUrl: http://$PRIMARY/openai
    subscriptionRequired: true
    subscriptionKeyParameterNames: { header: api-key, query: api-key }
    policy: $pol/azure-openai.xml
  echo:
    path: echo
    serviceUrl: http://$ECHO/base
    subscriptionRequired: true
    policy: $tmp/policies/echo.xml
products:
  team-a: { apis: [azure-openai, echo], subscriptionRequired: true }
subscriptions:
  team-a-dev: { scope: /products/team-a, primaryKey: team-a-key, secondaryKey: team-a-key-2, state: active }
logs: { path: $tmp/requests.jsonl, payloadBytes: 64 }
metrics: { listen: 127.0.0.1:1 }
EOF2

start gateway "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0; GW=http://$ADDR; GWPID=$PID
MET=
for _ in $(seq 50); do
    MET=$(sed -n 's/^metrics on //p' "$tmp/gateway.out"); [ -n "$MET" ] && break; sleep 0.05
done
chat='{"messages":[{"role":"user","content":"hello from the gateway test"}],"max_tokens":20}'
chatpath=/openai/deployments/gpt-4o/chat/completions?api-version=2024-02-01

# 1. a chat completion through the gateway
code=$(curl -s -o "$tmp/r1" -w '%{http_code}' -H 'api-key: team-a-key' -H 'Content-Type: application/json' --data "$chat" "$GW$chatpath")
check "chat completion: 200 with the mock's body" python3 -c "
import json,sys; assert '$code' == '200', '$code'
j = json.load(open('$tmp/r1')); assert j['object'] == 'chat.completion', j; assert j['usage']['total_tokens'] > 0"

# 2. 401 without a key (APIM's body)
code=$(curl -s -o "$tmp/r2" -w '%{http_code}' --data "$chat" "$GW$chatpath")
check "no key: 401 with APIM's body" python3 -c "
import json; assert '$code' == '401', '$code'; j = json.load(open('$tmp/r2'))
assert j['statusCode'] == 401 and 'subscription key' in j['message'], j"

# 3. 404 on an unknown path
code=$(curl -s -o "$tmp/r3" -w '%{http_code}' -H 'api-key: team-a-key' "$GW/nowhere/at/all")
check "unknown path: 404" python3 -c "
import json; assert '$code' == '404', '$code'; j = json.load(open('$tmp/r3')); assert j['statusCode'] == 404, j"

# 4. failover: the primary (--rpm 1) answers 429, the retry goes to the secondary
code=$(curl -s -m 20 -o "$tmp/r4" -w '%{http_code}' -H 'api-key: team-a-key' --data "$chat" "$GW$chatpath")
check "429 from the primary fails over to the secondary: 200" python3 -c "
import json; assert '$code' == '200', '$code'; j = json.load(open('$tmp/r4')); assert j['object'] == 'chat.completion', j"

# 5. headers to the backend: its key replaces the client's, no gateway Host
code=$(curl -s -o "$tmp/r5" -w '%{http_code}' -H 'Ocp-Apim-Subscription-Key: team-a-key' -H 'X-Custom: kept' --data '{"a":1}' "$GW/echo/some/path?x=1")
check "echo backend: path, key replaced, Host is the backend's" python3 -c "
import json; assert '$code' == '200', '$code'; j = json.load(open('$tmp/r5'))
h = j['headers']; assert j['path'] == '/base/some/path?x=1', j['path']
assert h.get('api-key') == 'backend-secret', h; assert h.get('x-custom') == 'kept', h
assert h.get('host') == '$ECHO', h; assert j['body'] == '{\"a\":1}', j"

# 6. request body over the limit: 413
head -c 17000000 /dev/zero | tr '\0' 'a' >"$tmp/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'api-key: team-a-key' --data-binary @"$tmp/big" "$GW$chatpath")
check "body over 16 MiB: 413" test "$code" = 413

# 7. keep-alive: two requests on one connection
out=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' -H 'api-key: team-a-key' "$GW/nowhere" "$GW/nowhere2")
check "keep-alive: the second request reuses the connection" test "$(echo "$out" | tr -d '\n')" = "10"

# 8. /metrics
curl -s "http://$MET/metrics" >"$tmp/metrics"
check "/metrics: requests by api/operation/status, backend attempts, latency histogram" python3 -c "
t = open('$tmp/metrics').read()
assert 'apimlite_requests_total{api=\"azure-openai\",operation=\"\",status=\"200\"} 2' in t, t
assert 'apimlite_backend_attempts_total{backend=\"primary\",result=\"429\"} 1' in t, t
assert 'apimlite_request_duration_seconds_bucket' in t, t"

# 9. SIGTERM: exit 0, log flushed
kill -TERM "$GWPID"
rc=124
for _ in $(seq 200); do kill -0 "$GWPID" 2>/dev/null || { wait "$GWPID"; rc=$?; break; }; sleep 0.05; done
if [ "$rc" = 0 ]; then ok "SIGTERM: the gateway exits 0"; else not_ok "SIGTERM: exit status $rc" "$(cat "$tmp/gateway.err")"; fi

# 10. the request log: one line per request, no secrets, read by apimlite usage
check "request log: fields, attempts, tokens, no secrets" python3 -c "
import json
lines = [json.loads(l) for l in open('$tmp/requests.jsonl')]
assert len(lines) == 8, len(lines)  # the 413 (answered by libevent) is logged too
big = [l for l in lines if l['ResponseCode'] == 413]
assert len(big) == 1 and big[0]['LastErrorReason'] == 'PayloadTooLarge', big
lines = [l for l in lines if l['ResponseCode'] != 413]
text = open('$tmp/requests.jsonl').read()
for s in ('team-a-key', 'mock-primary-key', 'mock-secondary-key', 'backend-secret'): assert s not in text, s
keys = 'TimeGenerated RequestId CallerIpAddress Method Url ApiId OperationId ProductId SubscriptionId BackendId BackendUrl ResponseCode BackendResponseCode TotalTime BackendTime Attempts Model PromptTokens CompletionTokens TotalTokens Streamed LastErrorSource LastErrorReason RequestBody BackendResponseBody'.split()
for l in lines:
    for k in keys: assert k in l, (k, l)
a, b = lines[0], lines[3]
assert a['ResponseCode'] == 200 and a['SubscriptionId'] == 'team-a-dev' and a['Model'] == 'gpt-4o', a
assert a['PromptTokens'] > 0 and a['TotalTokens'] == a['PromptTokens'] + a['CompletionTokens'], a
assert a['CallerIpAddress'] == '127.0.0.1' and a['Attempts'] == 1, a
assert b['ResponseCode'] == 200 and b['Attempts'] == 2 and b['BackendId'] == 'secondary', b
assert lines[1]['ResponseCode'] == 401 and lines[1]['LastErrorReason'], lines[1]
assert lines[2]['ResponseCode'] == 404, lines[2]
assert len(a['RequestBody']) <= 64
"
"$bin" usage --json --by subscription "$tmp/requests.jsonl" >"$tmp/usage.json" 2>"$tmp/usage.err"
check "apimlite usage --json reads the log" python3 -c "
import json
j = json.load(open('$tmp/usage.json'))
lines = [json.loads(l) for l in open('$tmp/requests.jsonl')]
want = sum(l['TotalTokens'] or 0 for l in lines)
s = json.dumps(j); assert 'team-a-dev' in s, s
assert str(want) in s, (want, s)"

echo "1..$n"
exit 0
