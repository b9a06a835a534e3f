#!/usr/bin/env bash
# Two `apimlite serve` processes sharing one Redis (counters: unix:///...) enforce one
# rate-limit-by-key exactly: 3 requests to the first and 2 to the second with calls="3" give
# 3 x 200 and 2 x 429 in total. Usage: redis_test.sh APIMLITE. Exits 77 (skip) without
# redis-server or curl. Every process is killed by the EXIT trap.
set -u
bin=${1:?usage: redis_test.sh APIMLITE}
if ! command -v redis-server >/dev/null || ! command -v curl >/dev/null; then
    echo "redis-server or curl missing: skipped"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do echo "--- $f"; cat "$f"; done; exit 1; }

sock=$tmp/redis.sock
redis-server --port 0 --unixsocket "$sock" --save '' --appendonly no --dir "$tmp" \
    >"$tmp/redis.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || fail "redis-server did not start: $(cat "$tmp/redis.log")"

start_or_fail mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
cat >"$tmp/limit.xml" <<'XML'
<policies>
    <inbound><base /><rate-limit-by-key calls="3" renewal-period="60" counter-key="shared" /></inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
counters: unix://$sock
apis:
  openai:
    path: openai
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: $tmp/limit.xml
EOF
# rediss:// is refused at load time with a clear message (the store has no TLS)
sed 's|^counters: .*|counters: rediss://127.0.0.1:6380/0|' "$tmp/gateway.yaml" >"$tmp/tls.yaml"
"$bin" serve "$tmp/tls.yaml" --listen 127.0.0.1:0 >/dev/null 2>"$tmp/tls.txt" &&
    fail "rediss:// accepted"
grep -q "rediss:// (Redis over TLS) is not supported" "$tmp/tls.txt" ||
    fail "rediss:// message: $(cat "$tmp/tls.txt")"

start_or_fail gw1 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW1=$ADDR
start_or_fail gw2 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW2=$ADDR

chat='{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
path=/openai/deployments/gpt-4o/chat/completions?api-version=2024-02-01
codes=
for gw in "$GW1" "$GW1" "$GW1" "$GW2" "$GW2"; do
    c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "$chat" "http://$gw$path")
    codes="$codes $c"
done
n200=$(echo "$codes" | tr ' ' '\n' | grep -c '^200$')
n429=$(echo "$codes" | tr ' ' '\n' | grep -c '^429$')
[ "$n200" = 3 ] && [ "$n429" = 2 ] || fail "codes:$codes (want 3 x 200, 2 x 429)"
grep -q "unreachable" "$tmp/gw1.err" "$tmp/gw2.err" && fail "a gateway lost Redis"
echo "ok: codes$codes"
exit 0
