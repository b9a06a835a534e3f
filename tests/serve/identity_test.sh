#!/usr/bin/env bash
# authentication-managed-identity live in `apimlite serve`: APIMLITE_IDENTITY_ENDPOINT points the
# identity provider (IMDS shape) at a loopback python3 responder, which also echoes the backend
# request's Authorization header. Usage: identity_test.sh APIMLITE. Exits 77 (skip) without
# python3 or curl. Every process is killed by the EXIT trap.
set -u
bin=${1:?usage: identity_test.sh APIMLITE}
if ! command -v python3 >/dev/null || ! command -v curl >/dev/null; then
    echo "python3 or curl missing: skipped"
    exit 77
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

start() {
    local name=$1; shift
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids+=("$!")
    ADDR=
    for _ in $(seq 200); do
        line=$(head -n1 "$tmp/$name.out" 2>/dev/null)
        case $line in "listening on "*) ADDR=${line#listening on }; return 0 ;; esac
        kill -0 "$!" 2>/dev/null || break
        sleep 0.05
    done
    fail "$name did not start"
}

# /token: the identity endpoint (logs its query and Metadata header); anything else: echoes
# the Authorization header it got
cat >"$tmp/idp.py" <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith('/token'):
            with open(sys.argv[1], 'a') as f: print(self.path, self.headers.get('Metadata'), file=f)
            out = {"access_token": "t", "expires_in": "3600", "token_type": "Bearer"}
        else:
            out = {"path": self.path, "authorization": self.headers.get('Authorization')}
        b = json.dumps(out).encode()
        self.send_response(200); self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(b))); self.end_headers(); self.wfile.write(b)
    do_POST = do_GET
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print('listening on 127.0.0.1:%d' % s.server_port, flush=True)
s.serve_forever()
PY
start idp python3 "$tmp/idp.py" "$tmp/token.log"; IDP=$ADDR

cat >"$tmp/mi.xml" <<'XML'
<policies>
    <inbound>
        <base />
        <authentication-managed-identity resource="https://cognitiveservices.azure.com" />
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
apis:
  mi:
    path: mi
    serviceUrl: http://$IDP/backend
    subscriptionRequired: false
    policy: $tmp/mi.xml
EOF
start gw env -u IDENTITY_ENDPOINT -u IDENTITY_HEADER -u AZURE_FEDERATED_TOKEN_FILE \
    APIMLITE_IDENTITY_ENDPOINT="http://$IDP/token" "$bin" serve "$tmp/gateway.yaml" \
    --listen 127.0.0.1:0
GW=$ADDR

for i in 1 2; do
    code=$(curl -s -m 10 -o "$tmp/r$i" -w '%{http_code}' "http://$GW/mi/hello")
    [ "$code" = 200 ] || fail "request $i: status $code: $(cat "$tmp/r$i")"
    python3 -c "
import json, sys; j = json.load(open('$tmp/r$i'))
assert j['authorization'] == 'Bearer t', j; assert j['path'] == '/backend/hello', j" ||
        fail "request $i: backend did not see 'Bearer t'"
done
# one fetch (the second request used the cached token), IMDS-shaped
[ "$(wc -l <"$tmp/token.log")" = 1 ] || fail "token fetches: $(cat "$tmp/token.log")"
grep -q 'resource=https' "$tmp/token.log" && grep -q ' true$' "$tmp/token.log" ||
    fail "token request: $(cat "$tmp/token.log")"
echo "ok: backend saw Bearer t; one token fetch"
exit 0
