#!/usr/bin/env bash
# The backend side of `apimlite serve` (runtime/transport_curl*.c) seen from a raw python3
# backend that records every request head and connection: what curl adds or not to forwarded
# requests (no Expect: 100-continue for a 2 KiB body, no Accept / User-Agent / Content-Type of
# its own), keep-alive reuse, a backend closing idle pooled connections (the gateway must not
# spin on the EOF nor fail the next call), a backend closing after every response (fd numbers
# reused at once), and, with strace, that a reused backend connection costs no epoll_ctl per
# request. Usage: transport_test.sh APIMLITE. Output is TAP.
set -u
bin=${1:?usage: transport_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
need curl python3

cat >"$tmp/be.py" <<'PY'
# Raw HTTP/1.1 backend. Answers {conn, method, path, headers (raw names), body_len} as JSON.
# Paths: ".../close" answers with Connection: close and closes; ".../idle" keeps the connection
# but closes it when it stays idle 0.2 s after the answer; anything else keeps it open.
import json, socket, sys, threading
conns = [0]
lock = threading.Lock()
def serve(c, cid):
    f = c.makefile('rb')
    try:
        while True:
            line = f.readline()
            if not line:
                return
            method, path, _ = line.decode('latin-1').split(' ', 2)
            heads = []
            while True:
                h = f.readline().decode('latin-1').rstrip('\r\n')
                if not h:
                    break
                k, _, v = h.partition(':')
                heads.append([k, v.strip()])
            n = sum(int(v) for k, v in heads if k.lower() == 'content-length')
            body = f.read(n) if n else b''
            out = json.dumps({'conn': cid, 'method': method, 'path': path, 'headers': heads,
                              'body_len': len(body)}).encode()
            close = path.endswith('/close')
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n'
                      % (len(out), b'Connection: close\r\n' if close else b'') + out)
            if close:
                return
            if path.endswith('/idle'):
                c.settimeout(0.2)
                try:
                    if not c.recv(1, socket.MSG_PEEK):
                        return
                except socket.timeout:
                    return
                c.settimeout(None)
    except (OSError, ValueError):
        return
    finally:
        c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0))
s.listen(64)
print('listening on 127.0.0.1:%d' % s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    with lock:
        conns[0] += 1
        cid = conns[0]
    threading.Thread(target=serve, args=(c, cid), daemon=True).start()
PY
start be python3 "$tmp/be.py"; BE=$ADDR

cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
apis:
  t:
    path: t
    serviceUrl: http://$BE/base
    subscriptionRequired: false
EOF
start gateway "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0; GW=http://$ADDR; GWPID=$PID

# jq-less JSON checks: py EXPR FILE evaluates EXPR with j = the parsed file
py() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); h={k.lower():v for k,v in j['headers']}; sys.exit(0 if ($1) else 1)" "$2"; }
# hdr NAME FILE: prints the value of header NAME the backend got (empty when absent)
hdr() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(' | '.join(v for k,v in j['headers'] if k.lower()==sys.argv[2]))" "$2" "$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# 1. a 2 KiB POST with the client's headers only
head -c 2048 /dev/zero | tr '\0' 'x' >"$tmp/body2k"
code=$(curl -s -o "$tmp/r1" -w '%{http_code}' -H 'Expect:' -H 'Accept:' -H 'User-Agent:' \
    -H 'Content-Type: application/json' -H 'X-Trace: 1' --data-binary @"$tmp/body2k" "$GW/t/post")
if [ "$code" = 200 ] && py "j['method']=='POST' and j['body_len']==2048" "$tmp/r1"; then
    ok "2 KiB POST forwarded whole"
else
    not_ok "2 KiB POST forwarded whole" "$code $(cat "$tmp/r1")"
fi
check "no Expect: 100-continue for a 2 KiB body" test -z "$(hdr expect "$tmp/r1")"
check "no Accept, User-Agent of curl's own" test -z "$(hdr accept "$tmp/r1")$(hdr user-agent "$tmp/r1")"
check "Content-Type as the client sent it" test "$(hdr content-type "$tmp/r1")" = application/json
check "Content-Length of the body" test "$(hdr content-length "$tmp/r1")" = 2048
check "client header forwarded" test "$(hdr x-trace "$tmp/r1")" = 1

# 2. bodies without Content-Type (small and large) and a GET: curl adds none of its own
curl -s -o "$tmp/r2" -H 'Expect:' -H 'Accept:' -H 'User-Agent:' -H 'Content-Type:' \
    --data-binary 'a=1' "$GW/t/small"
check "small POST: no Content-Type added" test -z "$(hdr content-type "$tmp/r2")$(hdr accept "$tmp/r2")"
curl -s -o "$tmp/r3" -H 'Expect:' -H 'Accept:' -H 'User-Agent:' -H 'Content-Type:' \
    --data-binary @"$tmp/body2k" "$GW/t/big"
check "2 KiB POST without type: no Content-Type, no Expect" \
    test -z "$(hdr content-type "$tmp/r3")$(hdr expect "$tmp/r3")"
curl -s -o "$tmp/r4" -H 'Accept:' -H 'User-Agent:' "$GW/t/get"
check "GET: no Content-Type, Accept, Expect" \
    test -z "$(hdr content-type "$tmp/r4")$(hdr accept "$tmp/r4")$(hdr expect "$tmp/r4")"
curl -s -o "$tmp/r5" -H 'Accept: text/plain' -H 'Expect: 100-continue' "$GW/t/get"
check "client Accept forwarded as sent" test "$(hdr accept "$tmp/r5")" = text/plain

# 3. keep-alive reuse: 20 sequential calls over one backend connection
c0=$(python3 -c "import json; print(json.load(open('$tmp/r5'))['conn'])")
for i in $(seq 20); do curl -s -o "$tmp/ka$i" "$GW/t/ka"; done
conns=$(cat "$tmp"/ka* | python3 -c "import json,sys; print(len({json.loads(l)['conn'] for l in sys.stdin.read().replace('}{','}\n{').splitlines()}))")
last=$(python3 -c "import json; print(json.load(open('$tmp/ka20'))['conn'])")
check "20 calls reuse one backend connection" test "$conns" = 1 -a "$last" = "$c0"

# 4. the backend closes idle connections: no spinning on the EOF, the next call works
curl -s -o "$tmp/i1" "$GW/t/idle"
sleep 0.5 # the backend has closed the pooled connection
t0=$(cpu_ticks "$GWPID")
sleep 1
t1=$(cpu_ticks "$GWPID")
check "idle gateway with a closed pooled connection does not spin ($((t1 - t0)) ticks/s)" \
    test $((t1 - t0)) -lt 20
code=$(curl -s -o "$tmp/i2" -w '%{http_code}' "$GW/t/idle")
check "call after the backend closed the pooled connection" test "$code" = 200
fails=0
for i in $(seq 10); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$GW/t/idle")
    [ "$code" = 200 ] || fails=$((fails + 1))
    sleep 0.25
done
check "10 calls, each after the backend closed the idle connection" test "$fails" = 0

# 5. Connection: close after every answer: fd numbers are reused at once
fails=0
for i in $(seq 30); do
    code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$GW/t/close")
    [ "$code" = 200 ] || fails=$((fails + 1))
done
check "30 calls to a backend closing after each answer" test "$fails" = 0
curl -s -o "$tmp/k1" "$GW/t/after"
check "keep-alive call after the closing ones" py "j['path']=='/base/after'" "$tmp/k1"

# 6. strace: a reused backend connection costs no epoll_ctl per request (curl's REMOVE / IN
# between transfers does not turn into EPOLL_CTL_DEL / ADD)
can_trace=0
if command -v strace >/dev/null; then
    timeout 1 strace -qq -e trace=none -o /dev/null -p "$GWPID" 2>"$tmp/strace.err"
    [ $? = 124 ] && can_trace=1
fi
if [ "$can_trace" = 1 ]; then
    curl -s -o /dev/null "$GW/t/warm"
    strace -f -qq -e trace=epoll_ctl,connect -o "$tmp/strace.txt" -p "$GWPID" & sp=$!
    sleep 0.5
    # a new connection (seen by strace), then 20 calls on it, each slow enough for curl to wait
    curl -s -o /dev/null "$GW/t/close"
    for i in $(seq 20); do curl -s -o /dev/null "$GW/t/ka"; done
    sleep 0.3
    kill -INT "$sp"; wait "$sp" 2>/dev/null
    port=${BE##*:}
    fd=$(grep -E "connect\([0-9]+, .*htons\($port\)" "$tmp/strace.txt" | tail -n1 | sed -E 's/.*connect\(([0-9]+),.*/\1/')
    if [ -z "$fd" ]; then
        not_ok "epoll_ctl on the backend connection" "$(head -c 2000 "$tmp/strace.txt")"
    else
        # from its connect on: about 3 while connecting (OUT, IN+OUT, IN), then none
        n_ctl=$(sed -n "/connect($fd, .*htons($port)/,\$p" "$tmp/strace.txt" |
            grep -cE "epoll_ctl\([0-9]+, EPOLL_CTL_[A-Z]+, $fd,")
        check "epoll_ctl on a new backend connection and 20 calls over it: $n_ctl (<= 4)" \
            test "$n_ctl" -le 4
    fi
else
    ok "# SKIP strace missing or not permitted"
fi

kill -TERM "$GWPID"
wait "$GWPID"
check "gateway exits cleanly" test $? = 0
echo "1..$n"
[ "$failed" = 0 ]
