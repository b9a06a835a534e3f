#!/bin/sh
# Runs every <policies> document of the conformance corpus through `apimlite run` with one
# generic Azure OpenAI chat-completion request (api-key header, an unsigned bearer JWT, a JSON
# body with messages), managed identity tokens for the usual Azure resources and a scripted 200
# chat-completion answer for every backend or side call.
# A run may end with any status or a clear policy/load error; it must never crash (signal),
# print a sanitizer report or time out (10 s).
#
# usage: corpus_run.sh APIMLITE SOURCE_ROOT [CORPUS_DIR...]
# Default corpus: SOURCE_ROOT/../shared/corpus/public; exits 77 (skipped) when it is absent.
# CORPUS_RUN_VERBOSE=1 prints one line per document.
set -u

apimlite=$1
root=$2
shift 2
if [ $# -eq 0 ]; then
    set -- "$root/../shared/corpus/public"
fi
for d in "$@"; do
    if [ ! -d "$d" ]; then
        echo "corpus-run: no corpus at $d: skipped"
        exit 77
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/corpus-run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# alg "none", aud cognitiveservices, exp 2100-01-01
jwt='eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSIsImlzcyI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMC8iLCJzdWIiOiJ1c2VyLTEiLCJvaWQiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEiLCJhcHBpZCI6IjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMiIsInRpZCI6IjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCIsImV4cCI6NDEwMjQ0NDgwMCwibmJmIjoxNzAwMDAwMDAwLCJpYXQiOjE3MDAwMDAwMDAsInJvbGVzIjpbInVzZXIiXX0.'
answer='{"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": "chatcmpl-1", "object": "chat.completion", "created": 1767225600, "model": "gpt-4o", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}}'
answers=$answer
i=1
while [ $i -lt 64 ]; do
    answers="$answers, $answer"
    i=$((i + 1))
done
cat >"$work/request.json" <<EOF
{
  "request": {
    "method": "POST",
    "url": "https://apim.example.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
    "ip": "10.0.0.1",
    "headers": {
      "api-key": "0123456789abcdef0123456789abcdef",
      "Authorization": "Bearer $jwt",
      "Content-Type": "application/json",
      "Accept": "application/json"
    },
    "body": {
      "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is Azure API Management?"}
      ],
      "max_tokens": 100,
      "temperature": 0.7
    }
  },
  "identity": {
    "https://cognitiveservices.azure.com": "$jwt",
    "https://cognitiveservices.azure.com/": "$jwt",
    "https://management.azure.com": "$jwt",
    "https://management.azure.com/": "$jwt",
    "https://vault.azure.net": "$jwt",
    "https://storage.azure.com": "$jwt",
    "https://storage.azure.com/": "$jwt",
    "https://eventhubs.azure.net": "$jwt",
    "https://servicebus.azure.net": "$jwt",
    "https://ai.azure.com": "$jwt",
    "https://ml.azure.com": "$jwt",
    "https://search.azure.com": "$jwt",
    "https://cosmos.azure.com": "$jwt",
    "https://graph.microsoft.com": "$jwt"
  },
  "backends": { "*": [ $answers ] }
}
EOF

docs=0 ran=0 clear=0 crashes=0
for dir in "$@"; do
    for doc in "$dir"/*.xml; do
        [ -f "$doc" ] || continue
        # the first of <policies / <fragment decides the kind of document
        kind=$(grep -o -m1 -E '<(policies|fragment)([[:space:]>/]|$)' "$doc" | head -n1)
        case $kind in
        "<policies"*) ;;
        *) continue ;;
        esac
        docs=$((docs + 1))
        name=$(basename "$doc")
        timeout 10 "$apimlite" run --policy "$doc" --request "$work/request.json" \
            >"$work/out" 2>"$work/err"
        rc=$?
        verdict=
        if grep -q -E 'Sanitizer|runtime error:|^==[0-9]+==' "$work/err"; then
            verdict="sanitizer report"
        elif [ $rc -eq 124 ]; then
            verdict="timeout (10 s)"
        elif [ $rc -ge 128 ]; then
            verdict="killed by signal $((rc - 128))"
        elif [ $rc -eq 0 ] && head -n1 "$work/out" | grep -q '^HTTP/1\.1 [0-9][0-9][0-9]'; then
            ran=$((ran + 1))
            [ "${CORPUS_RUN_VERBOSE:-}" = 1 ] && echo "ran    $name: $(head -n1 "$work/out")"
            continue
        elif [ $rc -ne 0 ] && grep -q 'error:' "$work/err"; then
            clear=$((clear + 1))
            [ "${CORPUS_RUN_VERBOSE:-}" = 1 ] &&
                echo "error  $name: $(grep -m1 'error:' "$work/err")"
            continue
        else
            verdict="exit $rc without a response or a clear error"
        fi
        crashes=$((crashes + 1))
        echo "CRASH  $name: $verdict"
        sed -n '1,40p' "$work/err" | sed 's/^/    /'
    done
done

echo "corpus-run: $docs documents, $ran ran, $clear errors (clear), $crashes crashes"
if [ $docs -eq 0 ]; then
    echo "corpus-run: no <policies> document found"
    exit 1
fi
[ $crashes -eq 0 ]
