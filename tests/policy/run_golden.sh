#!/bin/sh
# Golden tests of `apimlite check` (TAP). Usage: run_golden.sh APIMLITE TESTS_POLICY_DIR [--update]
#   bad/NAME.err   the exact stderr of `apimlite check bad/NAME.xml`, or of
#                  `apimlite check $(cat bad/NAME.args)` when bad/NAME.args exists; the expected
#                  exit status follows from it: 2 with "cannot read", 1 with errors, else 0
#   good/*.xml     each must pass alone (exit 0), and all together; good/gateway.yaml too,
#                  without a single warning
# Runs from TESTS_POLICY_DIR so that file names in the output are relative and stable.
bin=$1
dir=$2
update=$3
[ -x "$bin" ] && [ -d "$dir" ] || { echo "usage: $0 APIMLITE TESTS_POLICY_DIR [--update]" >&2; exit 2; }
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
cd "$dir" || exit 2
unset APIMLITE_TEST_SURELY_UNSET_VARIABLE
APIMLITE_TEST_KEY=test-secret
export APIMLITE_TEST_KEY
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

for err in bad/*.err; do
    name=${err%.err}
    if [ -f "$name.args" ]; then
        # shellcheck disable=SC2046
        "$bin" check $(cat "$name.args") 2>"$tmp" >/dev/null
    else
        "$bin" check "$name.xml" 2>"$tmp" >/dev/null
    fi
    rc=$?
    if [ "$update" = --update ]; then
        cp "$tmp" "$err"
    fi
    want=0
    grep -q ': error: \|^error: ' "$err" && want=1
    grep -q 'error: cannot read' "$err" && want=2
    if ! cmp -s "$tmp" "$err"; then
        notok "$name: output differs from $err"
        diff -u "$err" "$tmp" | sed 's/^/# /'
    elif [ $rc -ne $want ]; then
        notok "$name: exit status $rc, expected $want"
    else
        ok "$name"
    fi
done

for f in good/*.xml; do
    if "$bin" check "$f" 2>"$tmp" && ! grep -q ': error:' "$tmp"; then
        ok "$f"
    else
        notok "$f"
        sed 's/^/# /' "$tmp"
    fi
done
if "$bin" check good/*.xml 2>"$tmp" && grep -q '^checked [0-9]* documents: 0 errors' "$tmp"; then
    ok "good/*.xml together"
else
    notok "good/*.xml together"
    sed 's/^/# /' "$tmp"
fi
if "$bin" check --config good/gateway.yaml 2>"$tmp" &&
    [ "$(cat "$tmp")" = "checked 5 documents: 0 errors, 0 warnings" ]; then
    ok "good/gateway.yaml"
else
    notok "good/gateway.yaml"
    sed 's/^/# /' "$tmp"
fi
echo "1..$n"
[ $fail -eq 0 ]
