#!/usr/bin/env bash
# Two `apimlite serve` processes sharing one Redis (counters: unix:///...) enforce ONE
# azure-openai-token-limit exactly. Requests alternate between the gateways against an
# `apimlite mock` backend whose answers use 12 tokens each (usage.total_tokens):
#  - tokens-per-minute="40", counter-key by subscription: 4 x 200 with remaining tokens
#    28 / 16 / 4 / 0 (whichever gateway served), then 429 "Token limit is exceeded" with
#    Retry-After and remaining 0 from both gateways (separate counters would admit a 5th);
#  - token-quota="30" token-quota-period="Hourly": 3 x 200 with remaining quota 18 / 6 / 0,
#    then 403 "Token quota is exceeded" from the other gateway.
# Then Redis goes away: both gateways keep serving on local counters (one log line each), a
# third gateway started meanwhile serves too, and when Redis comes back all three use the shared
# counters again ("reachable again"), one TPM budget across the three.
# Usage: redis_tokens_test.sh APIMLITE. Exits 77 (skip) without redis-server, curl or python3.
set -u
bin=${1:?usage: redis_tokens_test.sh APIMLITE}
if ! command -v redis-server >/dev/null || ! command -v curl >/dev/null ||
    ! command -v python3 >/dev/null; then
    echo "redis-server, curl or python3 missing: skipped"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err "$tmp"/redis*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

sock=$tmp/redis.sock
REDIS_PID=
start_redis() {
    redis-server --port 0 --unixsocket "$sock" --save '' --appendonly no --dir "$tmp" \
        >>"$tmp/redis.log" 2>&1 &
    REDIS_PID=$!
    pids+=("$REDIS_PID")
    for _ in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.05; done
    fail "redis-server did not start"
}
start_redis

start_or_fail mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
cat >"$tmp/tpm.xml" <<'XML'
<policies>
    <inbound>
        <base />
        <azure-openai-token-limit counter-key="@("tpm-" + context.Subscription.Id)"
            tokens-per-minute="40" estimate-prompt-tokens="false"
            remaining-tokens-header-name="x-remaining-tokens" />
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/quota.xml" <<'XML'
<policies>
    <inbound>
        <base />
        <azure-openai-token-limit counter-key="@("quota-" + context.Subscription.Id)"
            token-quota="30" token-quota-period="Hourly" estimate-prompt-tokens="false"
            remaining-quota-tokens-header-name="x-remaining-quota" />
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
counters: unix://$sock
apis:
  tpm:
    path: tpm
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: true
    subscriptionKeyParameterNames: { header: api-key }
    policy: $tmp/tpm.xml
  quota:
    path: quota
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: true
    subscriptionKeyParameterNames: { header: api-key }
    policy: $tmp/quota.xml
products:
  team: { apis: [tpm, quota], subscriptionRequired: true }
subscriptions:
  team-a: { scope: /products/team, primaryKey: key-a, state: active }
  team-b: { scope: /products/team, primaryKey: key-b, state: active }
  team-c: { scope: /products/team, primaryKey: key-c, state: active }
EOF
start_or_fail gw1 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW1=$ADDR
start_or_fail gw2 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW2=$ADDR

chat='{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
# call GW API KEY: prints "status remaining-header retry-after" and keeps the body in $tmp/body
call() {
    curl -s -m 10 -D "$tmp/head" -o "$tmp/body" -w '%{http_code}' -H "api-key: $3" \
        -H 'Content-Type: application/json' --data "$chat" \
        "http://$1/$2/deployments/gpt-4o/chat/completions?api-version=2024-02-01" >"$tmp/code"
    local h=x-remaining-tokens
    [ "$2" = quota ] && h=x-remaining-quota
    local rem ra
    rem=$(tr -d '\r' <"$tmp/head" | sed -n "s/^$h: *//Ip" | head -n1)
    ra=$(tr -d '\r' <"$tmp/head" | sed -n 's/^retry-after: *//Ip' | head -n1)
    echo "$(cat "$tmp/code") ${rem:--} ${ra:--}"
}
# the mock's answer uses 12 tokens
call "$GW1" tpm key-b >/dev/null
python3 -c "import json; assert json.load(open('$tmp/body'))['usage']['total_tokens'] == 12" ||
    fail "the mock's usage is not 12 tokens: $(cat "$tmp/body")"

# tokens-per-minute, subscription team-a
got=
for gw in "$GW1" "$GW2" "$GW1" "$GW2"; do
    r=$(call "$gw" tpm key-a)
    got="$got|${r% *}"
done
[ "$got" = "|200 28|200 16|200 4|200 0" ] || fail "TPM: $got (want 200 with 28, 16, 4, 0 left)"
for gw in "$GW1" "$GW2"; do
    r=$(call "$gw" tpm key-a)
    set -- $r
    [ "$1" = 429 ] && [ "$2" = 0 ] && [ "$3" -ge 1 ] && [ "$3" -le 60 ] ||
        fail "TPM over budget at $gw: $r (want 429, 0 left, Retry-After 1..60)"
    python3 -c "
import json; j = json.load(open('$tmp/body')); assert j['statusCode'] == 429, j
assert j['message'].startswith('Token limit is exceeded. Try again in '), j" ||
        fail "TPM 429 body: $(cat "$tmp/body")"
done
# another subscription has its own budget
r=$(call "$GW2" tpm key-b)
[ "${r% *}" = "200 16" ] || fail "TPM team-b: $r (want 200 16: one earlier call)"
echo "ok: one TPM budget across both gateways"

# token quota (Hourly): not across an hour boundary
while [ "$(date -u +%M%S)" -ge 5955 ]; do sleep 1; done
got=
for gw in "$GW2" "$GW1" "$GW2"; do
    r=$(call "$gw" quota key-a)
    got="$got|${r% *}"
done
[ "$got" = "|200 18|200 6|200 0" ] || fail "token quota: $got (want 200 with 18, 6, 0 left)"
r=$(call "$GW1" quota key-a)
[ "${r%% *}" = 403 ] || fail "token quota exhausted: $r (want 403)"
python3 -c "
import json; j = json.load(open('$tmp/body')); assert j['statusCode'] == 403, j
assert j['message'].startswith('Token quota is exceeded. Try again in '), j" ||
    fail "token quota 403 body: $(cat "$tmp/body")"
echo "ok: one token quota across both gateways"

# Redis goes away: each gateway serves on its local counters (team-b's count there is 0), and
# logs the outage once
kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
rm -f "$sock"
for gw in "$GW1" "$GW2"; do
    r=$(call "$gw" tpm key-b)
    [ "${r%% *}" = 200 ] || fail "Redis down, $gw: $r (want 200 on local counters)"
    r=$(call "$gw" tpm key-b)
    [ "${r%% *}" = 200 ] || fail "Redis down, $gw: $r (want 200 on local counters)"
done
# a third gateway starting while Redis is unreachable serves on local counters too
start_or_fail gw3 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW3=$ADDR
for _ in 1 2; do
    r=$(call "$GW3" tpm key-b)
    [ "${r%% *}" = 200 ] || fail "Redis down at start, gw3: $r (want 200 on local counters)"
done
for g in gw1 gw2 gw3; do
    n=$(grep -c "redis unreachable" "$tmp/$g.err")
    [ "$n" = 1 ] || fail "$g logged the outage $n times"
done
# Redis returns (empty): the gateways reconnect (backoff at most 5 s) and share counters again
start_redis
for g in gw1 gw2 gw3; do
    for _ in $(seq 200); do grep -q "reachable again" "$tmp/$g.err" && break; sleep 0.05; done
    grep -q "reachable again" "$tmp/$g.err" || fail "$g did not return to Redis"
done
got=
for gw in "$GW2" "$GW1" "$GW3" "$GW1" "$GW2"; do
    r=$(call "$gw" tpm key-c)
    got="$got|${r% *}"
done
[ "$got" = "|200 28|200 16|200 4|200 0|429 0" ] || fail "TPM after the outage: $got"
echo "ok: local counters during the outage, shared again after it"
exit 0
