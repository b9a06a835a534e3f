#!/bin/sh
# Tests of the `apimlite eval` command line (DESIGN.md §2, §4b): output, exit codes, --help,
# context files, diagnostics. Usage: eval_cli.sh path/to/apimlite. Output is TAP.
set -u

bin=${1:?usage: eval_cli.sh path/to/apimlite}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

n=0
failed=0

# check NAME WANT_RC WANT_STDOUT STDERR_PATTERN -- ARGS...
# WANT_STDOUT is compared exactly ("*" = anything, "~RE" = a line matches grep -E RE);
# STDERR_PATTERN is a grep -E pattern
# ("" = must be empty, "*" = anything).
check() {
    name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    n=$((n + 1))
    "$bin" eval "$@" >"$tmp/out" 2>"$tmp/err" <"${stdin_file:-/dev/null}"
    rc=$?
    ok=1
    [ "$rc" = "$want_rc" ] || ok=0
    case $want_out in
    "*") ;;
    "~"*) grep -Eq -- "${want_out#"~"}" "$tmp/out" || ok=0 ;;
    *) [ "$(cat "$tmp/out")" = "$want_out" ] || ok=0 ;;
    esac
    if [ "$want_err" = "" ]; then
        [ -s "$tmp/err" ] && ok=0
    elif [ "$want_err" != "*" ]; then
        grep -Eq -- "$want_err" "$tmp/err" || ok=0
    fi
    if [ $ok = 1 ]; then
        echo "ok $n - $name"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name"
        echo "# exit $rc (want $want_rc)"
        sed 's/^/# stdout: /' "$tmp/out"
        sed 's/^/# stderr: /' "$tmp/err"
    fi
}

cat >"$tmp/ctx.json" <<'EOF'
{
  "request": {
    "method": "POST",
    "url": "https://gw.example.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
    "headers": { "X-A": "b", "Content-Type": "application/json" },
    "body": { "model": "gpt-4o", "max_tokens": 10 }
  },
  "variables": { "x": 5 },
  "subscription": { "id": "team-a" }
}
EOF
printf '{ "request": { "method": "GET", }' >"$tmp/bad.json"
printf '[1, 2]' >"$tmp/array.json"
printf '{ "request": { "url": "not a url" } }' >"$tmp/badurl.json"
printf '{ "variables": { "x": 21 } }' >"$tmp/stdin.json"

check "integer result" 0 "3" "" -- '@(1 + 2)'
check "string result is JSON" 0 '"POST"' "" -- --context "$tmp/ctx.json" '@(context.Request.Method)'
check "bare text is wrapped in @(...)" 0 "3" "" -- '1 + 2'
check "statement block" 0 '"ab"' "" -- '@{ var s = "a"; return s + "b"; }'
check "--context=FILE" 0 '"b"' "" -- --context="$tmp/ctx.json" '@(context.Request.Headers.GetValueOrDefault("x-a"))'
check "JSON body value" 0 '{"model":"gpt-4o","max_tokens":10}' "" -- --context "$tmp/ctx.json" \
    '@(context.Request.Body.As<JObject>())'
check "null result" 0 "null" "" -- --context "$tmp/ctx.json" '@(context.User)'
check "subscription" 0 '"team-a"' "" -- --context "$tmp/ctx.json" '@(context.Subscription?.Id)'
stdin_file="$tmp/stdin.json"
check "context from stdin" 0 "42" "" -- --context - '@((int)context.Variables["x"] * 2)'
stdin_file=
check "--help" 0 "~^usage: apimlite eval" "" -- --help
check "missing expression" 2 "" "missing EXPRESSION" --
check "two expressions" 2 "" "only one EXPRESSION" -- '@(1)' '@(2)'
check "unknown option" 2 "" "unknown option '--frobnicate'" -- --frobnicate '@(1)'
check "--context without a file" 2 "" "needs a file" -- --context
check "unreadable context file" 2 "" "cannot read context '$tmp/nope.json'" -- --context "$tmp/nope.json" '@(1)'
check "malformed context file" 2 "" "^$tmp/bad.json:1:[0-9]+: error: " -- --context "$tmp/bad.json" '@(1)'
check "context that is not an object" 2 "" "must be a JSON object" -- --context "$tmp/array.json" '@(1)'
check "bad URL in the context" 2 "" "bad context: 'request.url': not an absolute URL" -- \
    --context "$tmp/badurl.json" '@(1)'
check "compile error" 1 "" "^<expr>:1:19: error: 'IRequest' has no member 'Metod'" -- '@(context.Request.Metod)'
check "compile error position in bare text" 1 "" "^<expr>:1:17: error: 'IRequest' has no member 'Metod'" -- \
    'context.Request.Metod'
check "exception" 1 "" "^error: ExpressionValueEvaluationFailure: KeyNotFoundException: " -- \
    '@(context.Variables["missing"])'
check "null reference" 1 "" "^error: ExpressionValueEvaluationFailure: NullReferenceException: " -- \
    '@(context.Subscription.Id)'

echo "1..$n"
[ $failed = 0 ]
