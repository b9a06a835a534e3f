#!/usr/bin/env bash
# QA (issue 4 item 9): a Redis counter store answering garbage. A fake Redis (python3, no
# redis-server needed) answers the counter scripts with out-of-range integers (INT64_MIN /
# INT64_MAX: a damaged key or not our script), a nested array, or non-RESP bytes. The gateway
# must serve on local counters (no crash: under UBSan the out-of-range integers overflowed
# counters_redis.c's arithmetic), log it, and exit 0 on SIGTERM. Usage: qa_redis_test.sh
# APIMLITE. TAP.
set -u
bin=${1:?usage: qa_redis_test.sh APIMLITE}
. "$(dirname "$0")/lib.sh"
need curl python3

cat >"$tmp/fakeredis.py" <<'PY'
import socket, sys, threading
mode = sys.argv[1]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0)); srv.listen(16)
print('listening on 127.0.0.1:%d' % srv.getsockname()[1], flush=True)
ANSWER = {
    'minint': b'*5\r\n' + b':-9223372036854775808\r\n' * 5,
    'maxint': b'*5\r\n:0\r\n' + b':9223372036854775807\r\n' * 4,
    'nested': b'*2\r\n*1\r\n:1\r\n$-1\r\n',
    'garbage': b'\x00\xffnot resp\r\n',
}[mode]
def parse(buf):
    if not buf.startswith(b'*') or b'\r\n' not in buf: return None, buf
    line, rest = buf.split(b'\r\n', 1); args = []
    for _ in range(int(line[1:])):
        if b'\r\n' not in rest: return None, buf
        l, rest2 = rest.split(b'\r\n', 1); ln = int(l[1:])
        if len(rest2) < ln + 2: return None, buf
        args.append(rest2[:ln]); rest = rest2[ln + 2:]
    return args, rest
def serve(c):
    buf = b''
    while True:
        got = c.recv(65536)
        if not got: return
        buf += got
        while True:
            args, buf = parse(buf)
            if args is None: break
            cmd = args[0].upper()
            c.sendall(b'+PONG\r\n' if cmd == b'PING' else ANSWER if cmd in (b'EVALSHA', b'EVAL') else b'+OK\r\n')
while True:
    c, _ = srv.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
start mock "$bin" mock --listen 127.0.0.1:0; MOCK=$ADDR
cat >"$tmp/p.xml" <<'XML'
<policies>
    <inbound><base />
        <rate-limit-by-key calls="1000" renewal-period="60" counter-key="k" />
        <quota-by-key calls="1000" renewal-period="3600" counter-key="q" />
        <azure-openai-token-limit counter-key="t" tokens-per-minute="100000" estimate-prompt-tokens="true" />
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
for mode in minint maxint nested garbage; do
    start "redis-$mode" python3 "$tmp/fakeredis.py" "$mode"; RED=$ADDR
    printf 'listen: 127.0.0.1:1\ncounters: redis://%s/0\napis:\n  a: { path: openai, serviceUrl: "http://%s/openai", subscriptionRequired: false, policy: p.xml }\n' \
        "$RED" "$MOCK" >"$tmp/g.yaml"
    start "gw-$mode" "$bin" serve "$tmp/g.yaml" --listen 127.0.0.1:0; GWPID=$PID
    codes=
    for _ in 1 2 3; do
        codes="$codes $(curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
            --data '{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}' \
            "http://$ADDR/openai/deployments/g/chat/completions?api-version=2024-02-01")"
    done
    check "redis answering $mode: served on local counters ($codes)" sh -c "[ '$codes' = ' 200 200 200' ]"
    check "redis answering $mode: logged" grep -q "redis" "$tmp/gw-$mode.err"
    kill -TERM "$GWPID"; wait "$GWPID"; rc=$?
    check "redis answering $mode: exit 0 on SIGTERM, no sanitizer report" sh -c "
[ $rc = 0 ] && ! grep -q 'Sanitizer\|runtime error' '$tmp/gw-$mode.err' || { cat '$tmp/gw-$mode.err'; exit 1; }"
done
echo "1..$n"
[ "$failed" = 0 ]
