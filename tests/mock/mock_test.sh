#!/usr/bin/env bash
# Loopback tests of `apimlite mock`, driven with the curl CLI; JSON checked with python3.
# Usage: mock_test.sh APIMLITE. Output is TAP. Every mock is started on 127.0.0.1:0, its port
# read from its first stdout line, and stopped with SIGTERM (exit status must be 0, which also
# catches LeakSanitizer reports under ASan); the EXIT trap kills whatever is left.
set -u
bin=${1:?usage: mock_test.sh APIMLITE}
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP curl or python3 missing"
    exit 0
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
}
check() { # check NAME COMMAND...: ok when the command succeeds
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

# start_mock ARGS...: sets PID and URL (http://127.0.0.1:PORT)
start_mock() {
    : >"$tmp/out"
    "$bin" mock --listen 127.0.0.1:0 "$@" >"$tmp/out" 2>"$tmp/err" &
    PID=$!
    pids+=("$PID")
    URL=
    for _ in $(seq 100); do
        line=$(head -n1 "$tmp/out")
        case $line in "listening on "*) URL="http://${line#listening on }"; return 0 ;; esac
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "# mock did not start: $(cat "$tmp/err")"
    return 1
}
# stop_mock NAME: SIGTERM, wait at most 5 s, expect exit status 0
stop_mock() {
    kill -TERM "$PID" 2>/dev/null
    for _ in $(seq 100); do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$PID" 2>/dev/null; then
        kill -KILL "$PID"; wait "$PID" 2>/dev/null
        not_ok "$1: SIGTERM stops the mock" "still running after 5 s"
        return
    fi
    wait "$PID"
    local rc=$?
    if [ $rc -eq 0 ]; then ok "$1: clean exit 0 on SIGTERM"
    else not_ok "$1: clean exit 0 on SIGTERM" "exit $rc: $(tail -n 30 "$tmp/err")"; fi
}
# post PATH BODY [CURL ARGS...]: body to $tmp/body, headers to $tmp/hdr, prints the status
post() {
    local path=$1 body=$2; shift 2
    curl -s --max-time 10 -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' \
        -H 'Content-Type: application/json' --data-binary "$body" "$@" "$URL$path"
}
header() { # header NAME: value of a response header in $tmp/hdr
    tr -d '\r' <"$tmp/hdr" | awk -v n="$(echo "$1" | tr A-Z a-z)" -F': ' \
        'tolower($1) == n { print $2; exit }'
}
pyjson() { # pyjson FILE PYTHON-EXPR-OR-ASSERTS: runs with j = the parsed file
    python3 -c "import json,sys,base64,math,struct
j = json.load(open(sys.argv[1]))
$2" "$1"
}
# sse_check FILE PYTHON: runs with ev = list of parsed data events (before [DONE]),
# done = whether the stream ended with data: [DONE]
sse_check() {
    python3 -c "import json,sys
raw = open(sys.argv[1]).read()
assert raw.endswith('\n\n'), 'stream does not end with a blank line'
data = [l[6:] for l in raw.split('\n') if l.startswith('data: ')]
done = bool(data) and data[-1] == '[DONE]'
ev = [json.loads(d) for d in (data[:-1] if done else data)]
$2" "$1"
}

chat='{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello mock, how are you today?"}]}'
azure_chat=/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21

# ---- answers ----
if start_mock; then
    check "chat: 200" test "$(post "$azure_chat" "$chat")" = 200
    check "chat: completion shape and usage" pyjson "$tmp/body" "
assert j['object'] == 'chat.completion' and j['id'].startswith('chatcmpl-'), j
assert j['model'] == 'gpt-4o', j['model']
c = j['choices'][0]
assert c['message']['role'] == 'assistant' and c['finish_reason'] == 'stop', c
assert 'Hello mock, how are you today?' in c['message']['content'], c
u = j['usage']
assert u['prompt_tokens'] > 5 and u['completion_tokens'] > 5, u
assert u['total_tokens'] == u['prompt_tokens'] + u['completion_tokens'], u"
    check "chat: x-request-id, x-ms-region, json content type" \
        test -n "$(header x-request-id)" -a "$(header x-ms-region)" = mock \
        -a "$(header content-type)" = application/json
    cp "$tmp/body" "$tmp/chat1"
    post "$azure_chat" "$chat" >/dev/null
    check "chat: deterministic content" python3 -c "import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a['choices'] == b['choices'] and a['usage'] == b['usage']" "$tmp/chat1" "$tmp/body"
    check "chat: max_tokens truncates with finish_reason length" \
        test "$(post "$azure_chat" '{"max_tokens":3,"messages":[{"role":"user","content":"a b c d e f g"}]}')" = 200
    check "chat: max_tokens respected" pyjson "$tmp/body" "
c = j['choices'][0]; assert c['finish_reason'] == 'length', c
assert j['usage']['completion_tokens'] <= 3, j['usage']"

    check "v1 chat: 200" test "$(post /v1/chat/completions \
        '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}')" = 200
    check "v1 chat: model from the body" pyjson "$tmp/body" "assert j['model'] == 'gpt-4o-mini', j"
    check "openai/v1 chat: 200" test "$(post /openai/v1/chat/completions \
        '{"model":"dep1","messages":[{"role":"user","content":"hi"}]}')" = 200
    check "v1 chat without model: 400" test "$(post /v1/chat/completions \
        '{"messages":[{"role":"user","content":"hi"}]}')" = 400
    check "v1 chat without model: error JSON" pyjson "$tmp/body" "
assert 'model' in j['error']['message'] and j['error']['type'] == 'invalid_request_error', j"

    check "completions: 200" test "$(post /openai/deployments/davinci/completions \
        '{"prompt":"Say this is a test","max_tokens":50}')" = 200
    check "completions: text_completion shape" pyjson "$tmp/body" "
assert j['object'] == 'text_completion' and j['model'] == 'davinci', j
assert 'Say this is a test' in j['choices'][0]['text'], j
assert j['usage']['prompt_tokens'] > 0"
    check "v1 completions: 200" test "$(post /v1/completions '{"model":"m","prompt":["x y"]}')" = 200

    check "embeddings: 200" test "$(post /openai/deployments/text-embedding-3-small/embeddings \
        '{"input":["first text","second text"]}')" = 200
    check "embeddings: two unit vectors of 1536" pyjson "$tmp/body" "
assert j['object'] == 'list' and len(j['data']) == 2, j.keys()
for i, d in enumerate(j['data']):
    assert d['object'] == 'embedding' and d['index'] == i
    v = d['embedding']; assert len(v) == 1536
    assert abs(math.sqrt(sum(x * x for x in v)) - 1) < 1e-3
assert j['data'][0]['embedding'] != j['data'][1]['embedding']
assert j['usage']['prompt_tokens'] > 0 and j['usage']['total_tokens'] == j['usage']['prompt_tokens']"
    cp "$tmp/body" "$tmp/emb1"
    check "v1 embeddings base64: 200" test "$(post /v1/embeddings \
        '{"model":"text-embedding-3-small","input":"first text","encoding_format":"base64"}')" = 200
    check "v1 embeddings base64: same vector as floats" python3 -c "import json,sys,base64,struct
a = json.load(open(sys.argv[1]))['data'][0]['embedding']
b64 = json.load(open(sys.argv[2]))['data'][0]['embedding']
b = struct.unpack('<1536f', base64.b64decode(b64))
assert all(abs(x - y) < 1e-6 for x, y in zip(a, b))" "$tmp/emb1" "$tmp/body"
    check "embeddings: dimensions" test "$(post /v1/embeddings \
        '{"model":"e","input":[[1,2,3]],"dimensions":8}')" = 200
    check "embeddings: dimensions respected" pyjson "$tmp/body" "
assert len(j['data']) == 1 and len(j['data'][0]['embedding']) == 8"

    check "responses: 200" test "$(post /openai/v1/responses \
        '{"model":"gpt-4o","input":"write a haiku"}')" = 200
    check "responses: shape" pyjson "$tmp/body" "
assert j['object'] == 'response' and j['status'] == 'completed'
assert 'write a haiku' in j['output'][0]['content'][0]['text']
u = j['usage']; assert u['total_tokens'] == u['input_tokens'] + u['output_tokens']"

    check "unknown path: 404" test "$(post /v1/nothing '{}')" = 404
    check "unknown path: error JSON" pyjson "$tmp/body" "assert j['error']['code'] == '404', j"
    check "unknown deployment operation: 404" test "$(post /openai/deployments/x/images '{}')" = 404
    check "invalid JSON: 400" test "$(post "$azure_chat" '{"messages": [')" = 400
    check "invalid JSON: error JSON" pyjson "$tmp/body" "assert 'JSON' in j['error']['message'], j"
    check "missing messages: 400" test "$(post "$azure_chat" '{"model":"x"}')" = 400
    check "empty body: 400" test "$(post "$azure_chat" '')" = 400
    check "GET on an operation: 405" test "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
        "$URL$azure_chat")" = 405
    check "health: 200" test "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
        "$URL/health")" = 200
    mi=/metadata/identity/oauth2/token
    check "identity: token for a resource (IMDS shape)" test "$(curl -s --max-time 10 -o "$tmp/body" \
        -w '%{http_code}' -H 'Metadata: true' \
        "$URL$mi?api-version=2018-02-01&resource=https%3A%2F%2Fcognitiveservices.azure.com")" = 200
    check "identity: access_token, expiry, resource" pyjson "$tmp/body" "
import time
assert j['access_token'] == 'mock-mi-token:https://cognitiveservices.azure.com', j
assert j['token_type'] == 'Bearer' and int(j['expires_in']) > 3000, j
assert abs(int(j['expires_on']) - time.time() - 3599) < 60, j"
    check "identity: no Metadata header: 400" test "$(curl -s --max-time 10 -o "$tmp/body" \
        -w '%{http_code}' "$URL$mi?resource=x")" = 400
    check "identity: no resource: 400" test "$(curl -s --max-time 10 -o "$tmp/body" \
        -w '%{http_code}' -H 'Metadata: true' "$URL$mi")" = 400

    # ---- streaming without delay ----
    s_body='{"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"one two three four"}]}'
    check "stream: 200" test "$(post "$azure_chat" "$s_body" -N)" = 200
    check "stream: text/event-stream" sh -c "case '$(header content-type)' in text/event-stream*) ;; *) exit 1;; esac"
    check "stream: chunks, finish, usage chunk, [DONE]" sse_check "$tmp/body" "
assert done, 'no [DONE]'
chunks = [e for e in ev if e.get('object') == 'chat.completion.chunk']
assert chunks[0]['choices'][0]['delta']['role'] == 'assistant'
text = ''.join(c['choices'][0]['delta'].get('content', '') for c in chunks if c['choices'])
assert text.endswith('one two three four'), text
fin = [c for c in chunks if c['choices'] and c['choices'][0]['finish_reason']]
assert len(fin) == 1 and fin[0]['choices'][0]['finish_reason'] == 'stop'
last = chunks[-1]
assert last['choices'] == [] and last['usage']['completion_tokens'] > 0, last
assert all(c['usage'] is None for c in chunks[:-1])
assert last['usage']['total_tokens'] == last['usage']['prompt_tokens'] + last['usage']['completion_tokens']"
    check "stream: no usage chunk without include_usage" test "$(post "$azure_chat" \
        '{"stream":true,"messages":[{"role":"user","content":"x"}]}' -N)" = 200
    check "stream: no usage field then" sse_check "$tmp/body" "
assert done
assert all('usage' not in e for e in ev), ev[-1]
assert ev[-1]['choices'][0]['finish_reason'] == 'stop'"
    check "stream completions: 200" test "$(post /v1/completions \
        '{"model":"m","prompt":"p q","stream":true,"stream_options":{"include_usage":true}}' -N)" = 200
    check "stream completions: text chunks and usage" sse_check "$tmp/body" "
assert done
assert ''.join(e['choices'][0]['text'] for e in ev if e['choices']).endswith('p q')
assert ev[-1]['usage']['prompt_tokens'] > 0"
    check "stream responses: 200" test "$(post /v1/responses \
        '{"model":"gpt-4o","input":"hey there","stream":true}' -N)" = 200
    check "stream responses: deltas and response.completed" sse_check "$tmp/body" "
assert not done
types = [e['type'] for e in ev]
assert types[0] == 'response.created' and types[-1] == 'response.completed', types
assert ''.join(e['delta'] for e in ev if e['type'] == 'response.output_text.delta').endswith('hey there')
assert ev[-1]['response']['usage']['output_tokens'] > 0"
    check "keep-alive: two requests on one connection" sh -c "curl -s --max-time 10 -o /dev/null \
        -o /dev/null -w '%{num_connects}\n' -d '$chat' '$URL$azure_chat' '$URL$azure_chat' | tr -d '\n' | grep -qx 10"
    stop_mock "answers"
fi

# ---- streaming with --stream-delay, and client disconnects ----
if start_mock --stream-delay 60; then
    long='{"stream":true,"messages":[{"role":"user","content":"w1 w2 w3 w4 w5 w6 w7 w8 w9 w10"}]}'
    t=$(curl -s -N --max-time 20 -o "$tmp/body" -w '%{time_starttransfer} %{time_total}' \
        -d "$long" "$URL$azure_chat")
    check "stream-delay: events spread over time" python3 -c "import sys
first, total = map(float, sys.argv[1].split())
# 17 words + finish = 18 ticks of 60 ms after the first: expect about 1 s, accept >= 0.5 s
assert total - first >= 0.5, (first, total)" "$t"
    check "stream-delay: complete stream" sse_check "$tmp/body" "assert done and len(ev) >= 18, len(ev)"
    curl -s -N --max-time 0.3 -o /dev/null -d "$long" "$URL$azure_chat"
    curl -s -N --max-time 0.3 -o /dev/null -d "$long" "$URL$azure_chat"
    sleep 1.3 # the abandoned streams' timers must have been cancelled or finished cleanly
    check "disconnect mid-stream: mock still serves" test "$(post "$azure_chat" "$chat")" = 200
    # SIGTERM while a stream is in flight
    curl -s -N --max-time 5 -o /dev/null -d "$long" "$URL$azure_chat" &
    cpid=$!
    sleep 0.2
    stop_mock "stream in flight"
    wait "$cpid" 2>/dev/null
fi

# ---- latency ----
if start_mock --latency 300; then
    t=$(curl -s --max-time 10 -o /dev/null -w '%{time_total}' -d "$chat" "$URL$azure_chat")
    check "latency: answer delayed" python3 -c "import sys; assert float(sys.argv[1]) >= 0.25, sys.argv[1]" "$t"
    curl -s --max-time 0.1 -o /dev/null -d "$chat" "$URL$azure_chat"
    sleep 0.4
    check "latency: client gone before the answer, mock still serves" \
        test "$(post "$azure_chat" "$chat")" = 200
    curl -s --max-time 5 -o /dev/null -d "$chat" "$URL$azure_chat" &
    cpid=$!
    sleep 0.1
    stop_mock "latency in flight"
    wait "$cpid" 2>/dev/null
fi

# ---- --rpm ----
if start_mock --rpm 2; then
    check "rpm: first 200" test "$(post "$azure_chat" "$chat")" = 200
    check "rpm: remaining-requests 1" test "$(header x-ratelimit-remaining-requests)" = 1
    check "rpm: second 200" test "$(post "$azure_chat" "$chat")" = 200
    check "rpm: remaining-requests 0" test "$(header x-ratelimit-remaining-requests)" = 0
    check "rpm: third 429" test "$(post "$azure_chat" "$chat")" = 429
    ra=$(header retry-after)
    ram=$(header retry-after-ms)
    check "rpm: Retry-After seconds and retry-after-ms" python3 -c "import sys
s, ms = int(sys.argv[1]), int(sys.argv[2])
assert 1 <= s <= 60 and 50000 <= ms <= 60000 and s == (ms + 999) // 1000, (s, ms)" "$ra" "$ram"
    check "rpm: 429 body" pyjson "$tmp/body" "
m = j['error']['message']; assert j['error']['code'] == '429'
assert 'call rate limit' in m and 'Please retry after' in m and 'ChatCompletions_Create' in m, m"
    check "rpm: remaining-requests on the 429" test "$(header x-ratelimit-remaining-requests)" = 0
    stop_mock "rpm"
fi

# ---- --tpm ----
if start_mock --tpm 60; then
    check "tpm: first 200" test "$(post "$azure_chat" "$chat")" = 200
    used=$(pyjson "$tmp/body" "print(j['usage']['total_tokens'])")
    check "tpm: remaining-tokens = limit - usage" test "$(header x-ratelimit-remaining-tokens)" = $((60 - used))
    check "tpm: second 429" test "$(post "$azure_chat" "$chat")" = 429
    check "tpm: token rate limit message" pyjson "$tmp/body" "
assert 'token rate limit' in j['error']['message'], j"
    check "tpm: Retry-After present" test -n "$(header retry-after)" -a -n "$(header retry-after-ms)"
    stop_mock "tpm"
fi

# ---- --fail-rate ----
if start_mock --fail-rate 1 --fail-status 503; then
    check "fail-rate 1: 503" test "$(post "$azure_chat" "$chat")" = 503
    check "fail-rate 1: error JSON" pyjson "$tmp/body" "assert j['error']['code'] == 'ServiceUnavailable', j"
    check "fail-rate 1: v1 503 too" test "$(post /v1/embeddings '{"model":"e","input":"x"}')" = 503
    stop_mock "fail-rate 1"
fi
seq_of() { # the status sequence of 30 requests with --fail-rate 0.5 --seed $1
    start_mock --fail-rate 0.5 --seed "$1" || return
    local s=
    for _ in $(seq 30); do s="$s $(post "$azure_chat" "$chat")"; done
    echo "$s" >"$tmp/seq$1"
    stop_mock "fail-rate 0.5 seed $1" >&2
}
seq_of 7 2>"$tmp/tap7"; cat "$tmp/tap7"
cp "$tmp/seq7" "$tmp/seq7a"
seq_of 7 2>"$tmp/tap7"; cat "$tmp/tap7"
check "fail-rate 0.5: both outcomes" sh -c "grep -q 500 '$tmp/seq7' && grep -q 200 '$tmp/seq7'"
check "fail-rate 0.5: deterministic for a seed" cmp "$tmp/seq7" "$tmp/seq7a"

# ---- limits on the request ----
if start_mock --max-body 1000; then
    big=$(python3 -c "print('{\"messages\":[{\"role\":\"user\",\"content\":\"' + 'x' * 2000 + '\"}]}')")
    check "body over --max-body: 413" test "$(post "$azure_chat" "$big")" = 413
    check "mock still serves after 413" test "$(post "$azure_chat" "$chat")" = 200
    hdr=$(python3 -c "print('x' * 70000)")
    code=$(post "$azure_chat" "$chat" -H "X-Big: $hdr")
    check "header block over 64 KiB refused" sh -c "[ '$code' = 413 ] || [ '$code' = 400 ] || [ '$code' = 431 ]"
    port=${URL##*:}
    # garbage, a truncated body and a half-sent header block, each then closed
    (printf 'NOT HTTP AT ALL\r\n\r\n' >/dev/tcp/127.0.0.1/"$port") 2>/dev/null
    (printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"mod' \
        >/dev/tcp/127.0.0.1/"$port") 2>/dev/null
    (printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-A' >/dev/tcp/127.0.0.1/"$port") 2>/dev/null
    sleep 0.2
    check "mock still serves after garbage and truncated requests" \
        test "$(post "$azure_chat" "$chat")" = 200
    stop_mock "limits"
fi

# ---- command line ----
check "--help exits 0" sh -c "'$bin' mock --help | grep -q -- --stream-delay"
check "unknown option exits 2" sh -c "'$bin' mock --bogus 2>/dev/null; [ \$? -eq 2 ]"
check "bad --fail-rate exits 2" sh -c "'$bin' mock --fail-rate 2 2>/dev/null; [ \$? -eq 2 ]"
check "bad --listen exits 2" sh -c "'$bin' mock --listen 127.0.0.1:99999 2>/dev/null; [ \$? -eq 2 ]"

echo "1..$n"
[ $failed -eq 0 ]
