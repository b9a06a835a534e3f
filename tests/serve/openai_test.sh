#!/usr/bin/env bash
# The official openai npm client against `apimlite serve` (workers: 2) in front of three
# `apimlite mock` backends (issue 4, "Must show"): tests/serve/openai/openai_test.mjs drives
# AzureOpenAI and OpenAI clients (buffered and streamed completions, failover across a pool
# whose first member's breaker trips, APIM's 401 and 429) and checks /metrics; then this script
# stops the gateway and checks the request log and `apimlite usage --json` against what the
# clients received. Usage: openai_test.sh APIMLITE. Output is TAP; exits 77 (skip) without
# node 18+ or the openai package (.ci/deps installs it into
# ${APIMLITE_CACHE:-$HOME/.cache/apimlite}/openai-npm; OPENAI_NPM_DIR overrides that folder).
set -u
bin=${1:?usage: openai_test.sh APIMLITE}
here=$(cd "$(dirname "$0")" && pwd)
cache=${APIMLITE_CACHE:-$HOME/.cache/apimlite}
module=${OPENAI_NPM_DIR:-$cache/openai-npm}/node_modules/openai/index.mjs
if ! command -v node >/dev/null || ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP node or python3 missing"
    exit 77
fi
if [ "$(node -p 'parseInt(process.versions.node)')" -lt 18 ] || [ ! -f "$module" ]; then
    echo "1..0 # SKIP node 18+ or the openai package ($module) missing: run .ci/deps"
    exit 77
fi
. "$(dirname "$0")/lib.sh"

start main "$bin" mock --listen 127.0.0.1:0; MAIN=$ADDR
start throttled "$bin" mock --listen 127.0.0.1:0 --fail-rate 1 --fail-status 429; THROTTLED=$ADDR
start healthy "$bin" mock --listen 127.0.0.1:0; HEALTHY=$ADDR
sed -e "s#@MAIN@#$MAIN#g; s#@THROTTLED@#$THROTTLED#g; s#@HEALTHY@#$HEALTHY#g" \
    -e "s#@DIR@#$here/openai#g; s#@TMP@#$tmp#g" "$here/openai/gateway.yaml.in" >"$tmp/gateway.yaml"
start gateway "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0
GW=http://$ADDR; GWPID=$PID
MET=
for _ in $(seq 50); do
    MET=$(sed -n 's/^metrics on //p' "$tmp/gateway.out"); [ -n "$MET" ] && break; sleep 0.05
done
[ -n "$MET" ] || { echo "Bail out! no metrics address: $(cat "$tmp/gateway.out" "$tmp/gateway.err")"; exit 1; }

# the clients (each of their lines "ok ..." / "not ok ..." becomes a TAP line here)
OPENAI_MODULE=$module GW=$GW MET=$MET MAIN=$MAIN OUT=$tmp/received.json \
    timeout 40 node "$here/openai/openai_test.mjs" >"$tmp/node.out" 2>"$tmp/node.err"
rc=$?
while IFS= read -r line; do
    case $line in
    "not ok "*) not_ok "${line#not ok }" ;;
    "ok "*) ok "${line#ok }" ;;
    "#"*) echo "$line" ;;
    esac
done <"$tmp/node.out"
if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    not_ok "the node client script ran to its end (exit $rc)" "$(tail -n 20 "$tmp/node.err")"
fi
[ -f "$tmp/received.json" ] || { echo "1..$n"; exit 1; }

# SIGTERM: the gateway finishes, flushes the log
kill -TERM "$GWPID"
rc=124
for _ in $(seq 200); do kill -0 "$GWPID" 2>/dev/null || { wait "$GWPID"; rc=$?; break; }; sleep 0.05; done
if [ "$rc" = 0 ]; then ok "SIGTERM: the gateway exits 0"; else not_ok "SIGTERM: exit status $rc" "$(cat "$tmp/gateway.err")"; fi

check "request log: tokens, subscription and model of every completion the clients received" python3 -c "
import json, collections
got = json.load(open('$tmp/received.json'))['received']
lines = [json.loads(l) for l in open('$tmp/requests.jsonl')]
ok = [l for l in lines if l['ResponseCode'] == 200]
key = lambda s, a, m, p, c, t: (s, a, m, p, c, t)
want = collections.Counter(key(r['subscription'], r['api'], r['model'], r['prompt'], r['completion'], r['total']) for r in got)
have = collections.Counter(key(l['SubscriptionId'], l['ApiId'], l['Model'], l['PromptTokens'], l['CompletionTokens'], l['TotalTokens']) for l in ok)
assert want == have, (want, have)
assert sum(1 for l in ok if l['Streamed']) == 3, [l['Streamed'] for l in ok]
codes = collections.Counter(l['ResponseCode'] for l in lines)
assert codes[401] == 2 and codes[429] == 1 and codes[404] == 24, codes
text = open('$tmp/requests.jsonl').read()
for secret in ('team-a-key', 'tight-key', 'mock-main-key'): assert secret not in text, secret
"

"$bin" usage --json --by subscription,model "$tmp/requests.jsonl" >"$tmp/usage.json" 2>"$tmp/usage.err"
check "apimlite usage --json: totals per subscription and model equal what the clients received" python3 -c "
import json, collections
got = json.load(open('$tmp/received.json'))['received']
want = collections.defaultdict(lambda: [0, 0, 0])
for r in got:
    w = want[(r['subscription'], r['model'])]; w[0] += r['prompt']; w[1] += r['completion']; w[2] += r['total']
j = json.load(open('$tmp/usage.json'))
rows = j['groups'] if isinstance(j, dict) and 'groups' in j else j
have = {}
for g in rows:
    k = g.get('key', g)
    s = k.get('subscription', k.get('SubscriptionId')); m = k.get('model', k.get('Model'))
    if s is None: continue
    have[(s, m)] = [g['promptTokens'], g['completionTokens'], g['totalTokens']]
assert have == dict(want), (have, dict(want))
tot = j.get('total') if isinstance(j, dict) else None
if tot is not None:
    assert tot['totalTokens'] == sum(r['total'] for r in got), tot
"

echo "1..$n"
[ "$failed" = 0 ]
