#!/usr/bin/env bash
# Quota counters survive a restart of `apimlite serve` with the in-memory store (`state:` file,
# saved at SIGTERM and loaded at start):
#  - quota-by-key calls="3" renewal-period="3600": 2 calls, SIGTERM, restart, 1 call admitted,
#    the next one refused with APIM's 403 "Out of call volume quota. Quota will be replenished
#    in hh:mm:ss." and Retry-After;
#  - azure-openai-token-limit token-quota="30" Hourly (an `apimlite mock` answer uses 12
#    tokens): 12 before the restart, 24 after one more call (6 left), then 403 after the next.
# A damaged state file (truncated JSON, binary garbage, a wrong shape) stops the gateway at
# start with a clear error naming the file (exit 2, an I/O error: no crash, the file left as it
# was); an empty file is an empty state. Usage: restart_test.sh APIMLITE. Exits 77 (skip) without curl or
# python3.
set -u
bin=${1:?usage: restart_test.sh APIMLITE}
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    echo "curl or python3 missing: skipped"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

start_or_fail mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
cat >"$tmp/quota.xml" <<'XML'
<policies>
    <inbound>
        <base />
        <quota-by-key calls="3" renewal-period="3600" counter-key="@(context.Request.IpAddress)" />
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/tokens.xml" <<'XML'
<policies>
    <inbound>
        <base />
        <azure-openai-token-limit counter-key="tenant-a" token-quota="30"
            token-quota-period="Hourly" estimate-prompt-tokens="false"
            remaining-quota-tokens-header-name="x-remaining-quota" />
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
state: $tmp/state.json
apis:
  quota:
    path: quota
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: $tmp/quota.xml
  tokens:
    path: tokens
    serviceUrl: http://$MOCK/openai
    subscriptionRequired: false
    policy: $tmp/tokens.xml
EOF

chat='{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
# call GW API: prints "status remaining-quota-header retry-after"; the body is in $tmp/body
call() {
    curl -s -m 10 -D "$tmp/head" -o "$tmp/body" -w '%{http_code}' \
        -H 'Content-Type: application/json' --data "$chat" \
        "http://$1/$2/deployments/gpt-4o/chat/completions?api-version=2024-02-01" >"$tmp/code"
    local rem ra
    rem=$(tr -d '\r' <"$tmp/head" | sed -n 's/^x-remaining-quota: *//Ip' | head -n1)
    ra=$(tr -d '\r' <"$tmp/head" | sed -n 's/^retry-after: *//Ip' | head -n1)
    echo "$(cat "$tmp/code") ${rem:--} ${ra:--}"
}
# stop NAME PID: SIGTERM, and the gateway exits 0
stop() {
    kill -TERM "$2"
    local rc
    wait "$2"; rc=$?
    [ "$rc" = 0 ] || fail "$1 exited $rc after SIGTERM"
}

# the Hourly token quota must not cross an hour boundary during the test
while [ "$(date -u +%M%S)" -ge 5940 ]; do sleep 1; done

start_or_fail gw1 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=$ADDR
for i in 1 2; do
    r=$(call "$GW" quota)
    [ "${r%% *}" = 200 ] || fail "quota call $i: $r"
done
r=$(call "$GW" tokens)
[ "${r% *}" = "200 18" ] || fail "token call 1: $r (want 200, 18 left)"
stop gw1 "$PID"
python3 -c "
import json; j = json.load(open('$tmp/state.json'))
assert [q['calls'] for q in j['quota']] == [2], j
assert [(t['key'], t['period'], t['tokens']) for t in j['tokenQuota']] == [('tenant-a', 'Hourly', 12)], j" ||
    fail "state file: $(cat "$tmp/state.json")"
echo "ok: SIGTERM saved the counters"

start_or_fail gw2 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=$ADDR
r=$(call "$GW" quota)
[ "${r%% *}" = 200 ] || fail "quota call 3 (after the restart): $r"
r=$(call "$GW" quota)
set -- $r
[ "$1" = 403 ] && [ "$3" -ge 1 ] && [ "$3" -le 3600 ] ||
    fail "quota call 4: $r (want 403 with Retry-After in 1..3600)"
python3 -c "
import json, re; j = json.load(open('$tmp/body')); assert j['statusCode'] == 403, j
m = re.fullmatch(r'Out of call volume quota\. Quota will be replenished in 00:([0-5][0-9]):([0-5][0-9])\.', j['message'])
assert m, j; assert abs(int(m[1]) * 60 + int(m[2]) - $3) <= 1, (j, $3)" ||
    fail "quota body: $(cat "$tmp/body") (Retry-After $3)"
echo "ok: the quota survived the restart"
r=$(call "$GW" tokens)
[ "${r% *}" = "200 6" ] || fail "token call 2 (after the restart): $r (want 200, 6 left)"
r=$(call "$GW" tokens)
[ "${r%% *}" = 200 ] || fail "token call 3: $r (6 left: admitted)"
r=$(call "$GW" tokens)
[ "${r%% *}" = 403 ] || fail "token call 4: $r (want 403)"
grep -q '"Token quota is exceeded. Try again in ' "$tmp/body" || fail "token quota body: $(cat "$tmp/body")"
echo "ok: the token quota survived the restart"
stop gw2 "$PID"

# damaged state files: a clear error at start, exit 2, the file untouched
damaged() {
    printf '%s' "$2" >"$tmp/state.json"
    cp "$tmp/state.json" "$tmp/before"
    "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0 >"$tmp/bad.out" 2>"$tmp/bad.txt" &
    local p=$! rc
    pids+=("$p")
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$p" 2>/dev/null && fail "$1: the gateway started on a damaged state file"
    wait "$p"; rc=$?
    [ "$rc" = 2 ] || fail "$1: exit status $rc (want 2): $(cat "$tmp/bad.txt")"
    grep -q "state.json" "$tmp/bad.txt" && grep -q "$3" "$tmp/bad.txt" ||
        fail "$1: message: $(cat "$tmp/bad.txt")"
    cmp -s "$tmp/state.json" "$tmp/before" || fail "$1: the state file was changed"
}
damaged truncated '{"version": 1, "savedAt": 1, "quota": [{"key": "k", "windowSt' \
    'state.json:1:[0-9]*: error: the counter state file is damaged (.*); fix it or move it away'
damaged garbage $'\x01\x02\xff\xfe binary' 'error: the counter state file is damaged'
damaged shape '{"version": 1, "quota": [{"key": "k", "windowStart": 1, "windowEnd": 2, "calls": -4}]}' \
    'damaged (counts must be non-negative integers)'
damaged version '{"version": 99}' 'damaged (unsupported state file version)'
echo "ok: damaged state files are refused with a clear error"

# an empty state file is an empty state
: >"$tmp/state.json"
start_or_fail gw3 "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=$ADDR
r=$(call "$GW" quota)
[ "${r%% *}" = 200 ] || fail "empty state file: $r"
stop gw3 "$PID"
echo "ok: an empty state file starts empty"
exit 0
