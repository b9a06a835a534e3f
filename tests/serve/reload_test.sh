#!/usr/bin/env bash
# SIGHUP reload of `apimlite serve` (workers: 2): a changed policy is served after the reload
# by every worker; a broken policy is refused with its errors (file:line:col) on stderr while
# the old configuration goes on serving; a stream in flight across a reload completes; a
# rate-limit counter keeps its value across reloads; a changed restart-only setting (listen)
# is reported and ignored; a tripped circuit breaker stays open across a reload that keeps its
# rules (the pool goes on failing over, /metrics still reports it open) and starts fresh when
# its rules change. Usage: reload_test.sh APIMLITE. Output is TAP.
set -u
bin=${1:?usage: reload_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
need curl python3
# waitfor FILE TEXT: up to 5 s for TEXT to appear in FILE
waitfor() { for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

start mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
start slow "$bin" mock --listen 127.0.0.1:0 --stream-delay 150; SLOW=$ADDR
start throttled "$bin" mock --listen 127.0.0.1:0 --fail-rate 1 --fail-status 429; THROTTLED=$ADDR
policy() { # policy VERSION: the limited API's policy
    cat >"$tmp/limited.xml" <<XML
<policies>
    <inbound><base /><rate-limit-by-key calls="10" renewal-period="300" counter-key="all" /></inbound>
    <backend><base /></backend>
    <outbound><base /><set-header name="X-Version" exists-action="override"><value>$1</value></set-header></outbound>
    <on-error><base /></on-error>
</policies>
XML
}
policy v1
cat >"$tmp/plain.xml" <<'XML'
<policies>
    <inbound><base /></inbound>
    <backend><forward-request timeout="30" /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/failover.xml" <<'XML'
<policies>
    <inbound><base /><set-backend-service backend-id="fo-pool" /></inbound>
    <backend><forward-request timeout="30" /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
workers: 2
logs: { path: $tmp/requests.jsonl }
backends:
  # always answers 429: the first one trips its breaker for TRIP
  throttled:
    url: http://$THROTTLED/openai
    circuitBreaker:
      rules:
        - name: throttled
          failureCondition: { count: 1, interval: PT1M, statusCodeRanges: [{ min: 429, max: 429 }] }
          tripDuration: PT1M # TRIP
  healthy:
    url: http://$MOCK/openai
  fo-pool:
    type: Pool
    pool:
      services:
        - { id: /backends/throttled, priority: 1 }
        - { id: /backends/healthy, priority: 2 }
apis:
  failover:
    path: fo
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: failover.xml
  limited:
    path: openai
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: limited.xml
  streams:
    path: slow
    serviceUrl: http://$SLOW/openai
    subscriptionRequired: false
    policy: plain.xml
EOF
start gw "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0
GW=http://$ADDR; GWPID=$PID
MET=
for _ in $(seq 50); do
    MET=$(sed -n 's/^metrics on //p' "$tmp/gw.out"); [ -n "$MET" ] && break; sleep 0.05
done
[ -n "$MET" ] || { echo "Bail out! no metrics address: $(cat "$tmp/gw.out" "$tmp/gw.err")"; exit 1; }
chat='{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
path=/openai/deployments/gpt-4o/chat/completions?api-version=2024-02-01
spath=/slow/deployments/gpt-4o/chat/completions?api-version=2024-02-01
# version: one request on a new connection; prints "CODE VERSION"
version() {
    curl -s -m 10 -D "$tmp/h" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "$chat" "$GW$path" >"$tmp/code"
    printf '%s %s' "$(cat "$tmp/code")" "$(tr -d '\r' <"$tmp/h" | sed -n 's/^[Xx]-[Vv]ersion: //p')"
}
versions() { local out=; for _ in $(seq "$1"); do out="$out$(version),"; done; echo "$out"; }

out=$(versions 2)
check "before the reload: v1 (2 requests)" test "$out" = "200 v1,200 v1,"

# a stream starts on the old configuration, the reload happens while it runs
curl -sN -m 20 -o "$tmp/stream" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"messages":[{"role":"user","content":"a long story"}],"max_tokens":12,"stream":true}' \
    "$GW$spath" >"$tmp/stream.code" &
SPID=$!
sleep 0.5
policy v2
kill -HUP "$GWPID"
waitfor "$tmp/gw.err" "configuration reloaded (generation 2)"
check "SIGHUP: 'configuration reloaded' on stderr" grep -q "configuration reloaded (generation 2)" "$tmp/gw.err"
out=$(versions 6)
check "after the reload: every worker serves v2 (6 new connections)" test "$out" = "200 v2,200 v2,200 v2,200 v2,200 v2,200 v2,"
wait "$SPID"
check "the stream in flight across the reload completed" python3 -c "
assert open('$tmp/stream.code').read() == '200', open('$tmp/stream.code').read()
body = open('$tmp/stream').read(); assert body.rstrip().endswith('data: [DONE]'), body[-300:]
assert body.count('data: ') >= 10, body"

# a broken policy: refused with its errors, v2 still served
cat >"$tmp/limited.xml" <<'XML'
<policies>
    <inbound><base /><rate-limit-by-key calls="10" renewal-period="300" counter-key="all" />
    <backend><base /></backend>
</policies>
XML
kill -HUP "$GWPID"
waitfor "$tmp/gw.err" "configuration not reloaded"
check "broken XML: errors at limited.xml:LINE:COL on stderr, not reloaded" sh -c "
grep -q 'limited.xml:[0-9]*:[0-9]*: error' '$tmp/gw.err' && grep -q 'configuration not reloaded' '$tmp/gw.err'"
out=$(versions 2)
check "after the refused reload: v2 still served" test "$out" = "200 v2,200 v2,"

# the rate-limit counter survived both reloads: 10 calls made, the 11th is refused
policy v3
sed -i 's#^listen: 127.0.0.1:1#listen: 127.0.0.1:2#' "$tmp/gateway.yaml"
kill -HUP "$GWPID"
waitfor "$tmp/gw.err" "configuration reloaded (generation 3)"
check "a changed listen: is reported as needing a restart" grep -q "'listen' changed: it takes effect at the next restart" "$tmp/gw.err"
out=$(version)
check "the rate-limit counter kept its value across reloads: the 11th call is 429" test "$out" = "429 "
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$chat" "$GW$spath")
check "the gateway still serves on the startup address" test "$code" = 200

# circuit breaker state across reloads: the pool's first member (always 429) trips on its first
# answer, and the pool then fails over to the healthy member
fpath=/fo/deployments/gpt-4o/chat/completions?api-version=2024-02-01
fo() { curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$chat" "$GW$fpath"; }
circuit_open() { curl -s -m 5 "http://$MET/metrics" | sed -n 's/^apimlite_backend_circuit_open{backend="throttled"} //p'; }
out="$(fo),$(fo)"
check "pool: the throttled member answers 429 and trips, then the pool fails over (200)" test "$out" = "429,200"
kill -HUP "$GWPID"
waitfor "$tmp/gw.err" "configuration reloaded (generation 4)"
out=$(circuit_open)
check "after a reload with the same breaker rules: /metrics apimlite_backend_circuit_open{backend=\"throttled\"} is still 1" test "$out" = 1
out=$(fo)
check "after that reload: the breaker is still open, the pool fails over (200)" test "$out" = 200
if grep -q "circuit breaker rules changed" "$tmp/gw.err"; then not_ok "unchanged rules: no 'rules changed' message"; else ok "unchanged rules: no 'rules changed' message"; fi
sed -i 's#tripDuration: PT1M \# TRIP#tripDuration: PT2M#' "$tmp/gateway.yaml"
kill -HUP "$GWPID"
waitfor "$tmp/gw.err" "configuration reloaded (generation 5)"
check "changed breaker rules: the reload says the breaker starts fresh" grep -q "backend 'throttled': circuit breaker rules changed: its state starts fresh" "$tmp/gw.err"
out="$(circuit_open),$(fo),$(circuit_open)"
check "after the rules changed: closed (0), the throttled member is called again (429) and trips (1)" test "$out" = "0,429,1"

kill -TERM "$GWPID"; rc=124
for _ in $(seq 200); do kill -0 "$GWPID" 2>/dev/null || { wait "$GWPID"; rc=$?; break; }; sleep 0.05; done
check "SIGTERM after reloads: exit 0" test "$rc" = 0
check "request log: one line per request (17)" test "$(wc -l <"$tmp/requests.jsonl")" = 17
echo "1..$n"
