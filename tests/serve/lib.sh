# Shared by the loopback shell tests of tests/serve (sourced, after `bin=` is set). Every
# process listens on 127.0.0.1:0 and prints "listening on HOST:PORT" first; the EXIT trap kills
# them all and removes the temp dir $tmp (kept with KEEP_TMP=1). TAP helpers: ok, not_ok, check.

tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
}
check() { local name=$1; shift; local out; if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi; }

# need CMD...: a TAP skip (exit 0) when one of the commands is missing
need() {
    for c in "$@"; do
        command -v "$c" >/dev/null || { echo "1..0 # SKIP $c missing"; exit 0; }
    done
}

# launch NAME CMD...: runs CMD in the background and waits for its first line "listening on
# HOST:PORT"; sets ADDR and PID. Returns 1 when CMD exits (or never listens) instead.
launch() {
    local name=$1 line _; shift
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    PID=$!
    pids+=("$PID")
    ADDR=
    for _ in $(seq 200); do
        line=$(head -n1 "$tmp/$name.out" 2>/dev/null)
        case $line in "listening on "*) ADDR=${line#listening on }; return 0 ;; esac
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

# start NAME CMD...: launch, or TAP's Bail out when it does not start
start() {
    launch "$@" && return 0
    echo "Bail out! $1 did not start: $(cat "$tmp/$1.err")"
    exit 1
}

# start_or_fail NAME CMD...: start for the tests that print a FAIL summary instead of TAP (they
# define fail MESSAGE, which prints it with their logs and exits 1)
start_or_fail() {
    launch "$@" || fail "$1 did not start"
}
