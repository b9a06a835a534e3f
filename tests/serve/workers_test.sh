#!/usr/bin/env bash
# `workers: 3`: three event loops on threads sharing one SO_REUSEPORT port, the memory counter
# store and the gateway's state. 8 requests, each on a new connection, through a rate limit of
# calls="5": exactly 5 x 200 and 3 x 429; the process runs 3 threads; SIGTERM exits 0 and the
# request log has every line. Usage: workers_test.sh APIMLITE. Exits 77 without curl.
set -u
bin=${1:?usage: workers_test.sh APIMLITE}
command -v curl >/dev/null || { echo "curl missing: skipped"; exit 77; }
. "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do echo "--- $f"; cat "$f"; done; exit 1; }
start_or_fail mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
cat >"$tmp/limit.xml" <<'XML'
<policies>
    <inbound><base /><rate-limit-by-key calls="5" renewal-period="60" counter-key="all" /></inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
workers: 3
logs: { path: $tmp/requests.jsonl }
apis:
  openai:
    path: openai
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: $tmp/limit.xml
EOF
start_or_fail gw "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=$ADDR; GWPID=$PID
threads=$(ls "/proc/$GWPID/task" 2>/dev/null | wc -l)
[ "$threads" -ge 3 ] || fail "the gateway runs $threads thread(s)"

chat='{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
path=/openai/deployments/gpt-4o/chat/completions?api-version=2024-02-01
codes=
for _ in $(seq 8); do
    c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "$chat" "http://$GW$path")
    codes="$codes $c"
done
n200=$(echo "$codes" | tr ' ' '\n' | grep -c '^200$')
n429=$(echo "$codes" | tr ' ' '\n' | grep -c '^429$')
[ "$n200" = 5 ] && [ "$n429" = 3 ] || fail "codes:$codes (want 5 x 200, 3 x 429)"

kill -TERM "$GWPID"
rc=124
for _ in $(seq 200); do kill -0 "$GWPID" 2>/dev/null || { wait "$GWPID"; rc=$?; break; }; sleep 0.05; done
[ "$rc" = 0 ] || fail "SIGTERM: exit status $rc"
lines=$(wc -l <"$tmp/requests.jsonl")
[ "$lines" = 8 ] || fail "request log: $lines lines"
echo "ok: codes$codes; $threads threads; clean shutdown"
exit 0
