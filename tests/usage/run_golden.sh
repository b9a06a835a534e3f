#!/bin/sh
# Golden tests of `apimlite usage` (TAP). Usage: run_golden.sh APIMLITE TESTS_USAGE_DIR [--update]
#   cases/NAME.args   the arguments (shell words, paths relative to TESTS_USAGE_DIR)
#   cases/NAME.stdin  optional: the file fed to stdin (else /dev/null)
#   cases/NAME.out    the exact stdout;  cases/NAME.err  the exact stderr
#   cases/NAME.rc     optional: the expected exit status (else 0)
# Then a generated log of 100k lines through stdin, checked against totals computed by awk.
bin=$1
dir=$2
update=$3
if ! [ -x "$bin" ] || ! [ -d "$dir" ]; then
    echo "usage: $0 APIMLITE TESTS_USAGE_DIR [--update]" >&2
    exit 2
fi
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
cd "$dir" || exit 2
LC_ALL=C
export LC_ALL
tmpd=$(mktemp -d) || exit 2
trap 'rm -rf "$tmpd"' EXIT

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

for args in cases/*.args; do
    name=${args%.args}
    input=/dev/null
    [ -f "$name.stdin" ] && input=$(cat "$name.stdin")
    eval "set -- $(cat "$args")"
    "$bin" usage "$@" <"$input" >"$tmpd/out" 2>"$tmpd/err"
    rc=$?
    want=0
    [ -f "$name.rc" ] && want=$(cat "$name.rc")
    if [ "$update" = --update ]; then
        cp "$tmpd/out" "$name.out"
        cp "$tmpd/err" "$name.err"
    fi
    if ! cmp -s "$tmpd/out" "$name.out"; then
        notok "$name: stdout differs from $name.out"
        diff -u "$name.out" "$tmpd/out" | sed 's/^/# /'
    elif ! cmp -s "$tmpd/err" "$name.err"; then
        notok "$name: stderr differs from $name.err"
        diff -u "$name.err" "$tmpd/err" | sed 's/^/# /'
    elif [ "$rc" -ne "$want" ]; then
        notok "$name: exit status $rc, expected $want"
    else
        ok "$name"
    fi
done

# Streaming: 100k generated lines over 7 subscriptions x 3 models, every 1000th malformed.
awk 'BEGIN {
    for (i = 0; i < 100000; i++) {
        if (i % 1000 == 999) { print "{\"TimeGenerated\": broken"; bad++; continue }
        s = "sub-" (i % 7); m = "model-" (i % 3); p = i % 100; c = i % 37
        printf "{\"TimeGenerated\":\"2026-02-%02dT%02d:%02d:00Z\",\"SubscriptionId\":\"%s\",\"Model\":\"%s\",\"PromptTokens\":%d,\"CompletionTokens\":%d,\"TotalTokens\":%d,\"ResponseCode\":%d,\"Streamed\":%s}\n", 1 + i % 28, i % 24, i % 60, s, m, p, c, p + c, (i % 10 == 0) ? 429 : 200, (i % 4 == 0) ? "true" : "false"
    }
}' >"$tmpd/big.jsonl"
expect=$(awk -F'[:,]' '/broken/ { next } {
    for (f = 1; f <= NF; f++) {
        if ($f == "\"PromptTokens\"") p += $(f + 1)
        if ($f == "\"CompletionTokens\"") c += $(f + 1)
        if ($f == "\"ResponseCode\"" && $(f + 1) >= 400) e++
        if ($f == "\"Streamed\"" && $(f + 1) ~ /true/) s++
    }
    r++
} END { printf "TOTAL %d %d %d %d %d %d -\n", r, p, c, p + c, s, e }' "$tmpd/big.jsonl")
"$bin" usage <"$tmpd/big.jsonl" >"$tmpd/out" 2>"$tmpd/err"
rc=$?
got=$(tail -n 1 "$tmpd/out" | tr -s ' ')
rows=$(($(wc -l <"$tmpd/out") - 2))
if [ $rc -eq 0 ] && [ "$got" = "$expect" ] && [ $rows -eq 21 ] &&
    [ "$(tail -n 1 "$tmpd/err")" = "warning: 100 malformed lines skipped" ] &&
    [ "$(wc -l <"$tmpd/err")" -eq 6 ]; then
    ok "100k lines from stdin: totals, 21 groups, 100 malformed (5 described)"
else
    notok "100k lines from stdin: rc $rc, $rows groups, got '$got', want '$expect'"
    sed 's/^/# /' "$tmpd/err"
fi

# The groups of the big log add up to the TOTAL row (JSON, summed by awk).
"$bin" usage --json --by subscription,model,status "$tmpd/big.jsonl" >"$tmpd/out" 2>/dev/null
sum=$(awk -F'"totalTokens": ' '/^    \{/ { split($2, a, ","); t += a[1] } /"total":/ { split($2, a, ","); print t, a[1] }' "$tmpd/out")
# shellcheck disable=SC2086
set -- $sum
if [ $# -eq 2 ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ]; then
    ok "JSON groups add up to the total ($1 tokens)"
else
    notok "JSON groups add up to the total: '$sum'"
fi

echo "1..$n"
[ $fail -eq 0 ]
