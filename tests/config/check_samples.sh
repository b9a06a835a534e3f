#!/bin/sh
# apimlite check --config samples/*/gateway.yaml must pass (exit 0, "0 errors").
# Usage: check_samples.sh APIMLITE SOURCE_ROOT
bin=$1
root=$2
[ -x "$bin" ] && [ -d "$root/samples" ] || { echo "usage: $0 APIMLITE SOURCE_ROOT" >&2; exit 2; }
fail=0
found=0
for cfg in "$root"/samples/*/gateway.yaml; do
    [ -f "$cfg" ] || continue
    found=1
    out=$("$bin" check --config "$cfg" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q ': 0 errors,'; then
        echo "FAIL: $cfg (exit $rc)"
        printf '%s\n' "$out"
        fail=1
    else
        echo "ok: $cfg"
    fi
done
[ $found -eq 1 ] || { echo "no samples found"; exit 1; }
exit $fail
