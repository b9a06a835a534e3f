# Shared helpers of tests/bench/run and tests/bench/soak (sourced, not run). Expects $tmp
# (a temp dir), $bin (apimlite) and the array pids; every process started here is recorded
# in pids and killed by bench_cleanup.

bench_cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.3
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    [ "${BENCH_KEEP:-0}" = 1 ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}

die() { echo "bench: $*" >&2; exit 1; }

# free_port: prints a TCP port free on 127.0.0.1 (the kernel's pick)
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: waits until something accepts on 127.0.0.1:PORT
wait_port() {
    local _
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    die "nothing listens on port $1"
}

# start_listening NAME CMD...: runs CMD in the background and waits for its first line
# "listening on HOST:PORT"; sets ADDR and PID
start_listening() {
    local name=$1 line _
    shift
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
    die "$name did not start: $(cat "$tmp/$name.err")"
}

# start_nginx NAME CONF PORT: runs nginx in the foreground with CONF; sets PID (the master)
start_nginx() {
    nginx -p "$tmp" -c "$2" -e "$tmp/$1.stderr" >"$tmp/$1.out" 2>&1 &
    PID=$!
    pids+=("$PID")
    wait_port "$3"
}

# fill TEMPLATE OUT KEY=VALUE...: copies TEMPLATE to OUT replacing @KEY@ by VALUE
fill() {
    local in=$1 out=$2 kv k v
    shift 2
    cp "$in" "$out"
    for kv in "$@"; do
        k=${kv%%=*}
        v=${kv#*=}
        KV_V=$v perl -pi -e "s|\\@$k\\@|\$ENV{KV_V}|g" "$out"
    done
}

# governed_gateway NAME BACKEND WORKERS [CALLS] [TPM]: starts `apimlite serve` with the governed
# config in $tmp/NAME/; sets GW (HOST:PORT), GWPID, GWMET (metrics HOST:PORT). $EXTRA_INBOUND,
# when set, is inserted in the policy after the inbound <base />.
governed_gateway() {
    local name=$1 backend=$2 workers=$3 calls=${4:-1000000000} tpm=${5:-2000000000} d
    d=$tmp/$name
    mkdir -p "$d"
    fill "$benchdir/governed/api.xml" "$d/api.xml" "CALLS=$calls" "TPM=$tpm"
    if [ -n "${EXTRA_INBOUND:-}" ]; then
        perl -0pi -e 's|(<inbound>\s*<base />)|$1\n$ENV{EXTRA_INBOUND}|' "$d/api.xml"
    fi
    fill "$benchdir/governed/gateway.yaml.in" "$d/gateway.yaml" "BACKEND=$backend" \
        "WORKERS=$workers" "DIR=$d"
    start_listening "$name" "$bin" serve "$d/gateway.yaml" --listen 127.0.0.1:0 \
        --metrics-listen 127.0.0.1:0
    GW=$ADDR
    GWPID=$PID
    GWMET=
    local _
    for _ in $(seq 50); do
        GWMET=$(sed -n 's/^metrics on //p' "$tmp/$name.out")
        [ -n "$GWMET" ] && break
        sleep 0.05
    done
}

# rss_kb PID...: the sum of VmRSS (kB) of the processes and, for nginx masters, their children
rss_kb() {
    local total=0 p c kb
    for p in "$@"; do
        for c in $p $(pgrep -P "$p" 2>/dev/null); do
            kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$c/status" 2>/dev/null || echo 0)
            total=$((total + ${kb:-0}))
        done
    done
    echo "$total"
}

# med V...: the median of the numbers
med() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# kv FILE KEY: the value of KEY=... in a bench_loadgen output
kv() { sed -n "s/^$2=//p" "$1" | head -n1; }

# wrk_lua FILE: a wrk script POSTing the chat body with the subscription key
wrk_lua() {
    cat >"$1" <<'LUA'
wrk.method = "POST"
wrk.body = '{"messages":[{"role":"user","content":"Hello, how are you today?"}],"max_tokens":64}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["api-key"] = "bench-key"
LUA
}

chat_path='/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'
chat_body='{"messages":[{"role":"user","content":"Hello, how are you today?"}],"max_tokens":64}'
