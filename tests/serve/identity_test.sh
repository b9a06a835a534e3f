#!/usr/bin/env bash
# Managed identity live in `apimlite serve`: APIMLITE_IDENTITY_ENDPOINT points the identity
# provider (IMDS shape) at a loopback python3 responder, which answers tokens after 300 ms (so
# every first request meets a cold cache and has to wait for the fetch) and echoes the backend
# request's Authorization header. Covers the top-level authentication-managed-identity policy,
# a backend entity's credentials.managedIdentity (a single backend and a pool member),
# send-request's <authentication-managed-identity> child, concurrent cold requests sharing one
# fetch, and the endpoint being down (APIM's 500 through on-error, LastError.Reason
# ManagedIdentityTokenFailure). Usage: identity_test.sh APIMLITE. Exits 77 (skip) without
# python3 or curl. Every process is killed by the EXIT trap.
set -u
bin=${1:?usage: identity_test.sh APIMLITE}
if ! command -v python3 >/dev/null || ! command -v curl >/dev/null; then
    echo "python3 or curl missing: skipped"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

# /token: the identity endpoint (logs its query and Metadata header; answers after 300 ms with
# the token "t-<resource host>"); anything else: echoes the Authorization header it got
cat >"$tmp/idp.py" <<'PY'
import http.server, json, sys, time, urllib.parse
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith('/token'):
            with open(sys.argv[1], 'a') as f: print(self.path, self.headers.get('Metadata'), file=f)
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            host = urllib.parse.urlparse(q.get('resource', [''])[0]).hostname or 'none'
            time.sleep(0.3)
            out = {"access_token": "t-" + host, "expires_in": "3600", "token_type": "Bearer"}
        else:
            out = {"path": self.path, "authorization": self.headers.get('Authorization')}
        b = json.dumps(out).encode()
        self.send_response(200); self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(b))); self.end_headers(); self.wfile.write(b)
    do_POST = do_GET
    def log_message(self, *a): pass
class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
s = S(('127.0.0.1', 0), H)
print('listening on 127.0.0.1:%d' % s.server_port, flush=True)
s.serve_forever()
PY
start_or_fail idp python3 "$tmp/idp.py" "$tmp/token.log"; IDP=$ADDR

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
# a backend entity with credentials.managedIdentity: a single backend, a pool of one
for id in mibe mipool; do
    cat >"$tmp/$id.xml" <<XML
<policies>
    <inbound><base /><set-backend-service backend-id="$id" /></inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error>
        <base />
        <set-header name="x-last-error" exists-action="override">
            <value>@(context.LastError.Reason)</value>
        </set-header>
    </on-error>
</policies>
XML
done
# send-request's <authentication-managed-identity>: the call's answer becomes the response
cat >"$tmp/sr.xml" <<XML
<policies>
    <inbound>
        <base />
        <send-request mode="new" response-variable-name="side" timeout="10">
            <set-url>http://$IDP/side</set-url>
            <set-method>GET</set-method>
            <authentication-managed-identity resource="https://side.example" />
        </send-request>
        <return-response>
            <set-status code="200" reason="OK" />
            <set-body>@(((IResponse)context.Variables["side"]).Body.As&lt;string&gt;())</set-body>
        </return-response>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error>
        <base />
        <set-header name="x-last-error" exists-action="override">
            <value>@(context.LastError.Reason)</value>
        </set-header>
    </on-error>
</policies>
XML
cat >"$tmp/gateway.yaml" <<EOF
listen: 127.0.0.1:1
backends:
  mibe:
    url: http://$IDP/backend
    credentials: { managedIdentity: { resource: "https://backend.example" } }
  mimember:
    url: http://$IDP/member
    credentials: { managedIdentity: { resource: "https://member.example" } }
  mipool:
    type: Pool
    pool: { services: [ { id: mimember } ] }
apis:
  mi:
    path: mi
    serviceUrl: http://$IDP/backend
    subscriptionRequired: false
    policy: $tmp/mi.xml
  be:
    path: be
    subscriptionRequired: false
    policy: $tmp/mibe.xml
  pool:
    path: pool
    subscriptionRequired: false
    policy: $tmp/mipool.xml
  sr:
    path: sr
    subscriptionRequired: false
    policy: $tmp/sr.xml
EOF
# gateway NAME TOKEN-ENDPOINT: starts a gateway on the configuration; sets ADDR
gateway() {
    start_or_fail "$1" env -u IDENTITY_ENDPOINT -u IDENTITY_HEADER -u AZURE_FEDERATED_TOKEN_FILE \
        APIMLITE_IDENTITY_ENDPOINT="$2" "$bin" serve "$tmp/gateway.yaml" --listen 127.0.0.1:0
}
gateway gw "http://$IDP/token"; GW=$ADDR

# expect NAME PATH TOKEN BACKEND-PATH: 200, and the backend saw "Bearer TOKEN" at BACKEND-PATH
expect() {
    local code
    code=$(curl -s -m 10 -o "$tmp/$1" -w '%{http_code}' "http://$GW$2")
    [ "$code" = 200 ] || fail "$1: status $code: $(cat "$tmp/$1")"
    python3 -c "
import json, sys; j = json.load(open('$tmp/$1'))
assert j['authorization'] == 'Bearer $3', j; assert j['path'] == '$4', j" ||
        fail "$1: backend did not see 'Bearer $3' at $4: $(cat "$tmp/$1")"
}
# cold cache, then cached: top-level policy, backend credentials, pool member, send-request
for i in 1 2; do
    expect mi$i /mi/hello t-cognitiveservices.azure.com /backend/hello
    expect be$i /be/x t-backend.example /backend/x
    expect pool$i /pool/y t-member.example /member/y
    expect sr$i /sr/z t-side.example /side
done
# one fetch per resource (the second requests used the cached tokens), IMDS-shaped
[ "$(wc -l <"$tmp/token.log")" = 4 ] || fail "token fetches: $(cat "$tmp/token.log")"
grep -q 'resource=https' "$tmp/token.log" && ! grep -qv ' true$' "$tmp/token.log" ||
    fail "token requests: $(cat "$tmp/token.log")"
echo "ok: every cold request waited for its token; one fetch per resource"

# a second gateway (cold cache): 5 concurrent requests share one fetch
gateway gw2 "http://$IDP/token"; GW2=$ADDR
: >"$tmp/token.log"
cpids=()
for i in 1 2 3 4 5; do
    curl -s -m 10 -o "$tmp/c$i" -w '%{http_code}' "http://$GW2/be/c$i" >"$tmp/c$i.code" &
    cpids+=("$!")
done
wait "${cpids[@]}"
for i in 1 2 3 4 5; do
    [ "$(cat "$tmp/c$i.code")" = 200 ] && grep -q '"Bearer t-backend.example"' "$tmp/c$i" ||
        fail "concurrent $i: $(cat "$tmp/c$i.code") $(cat "$tmp/c$i")"
done
[ "$(wc -l <"$tmp/token.log")" = 1 ] || fail "concurrent fetches: $(cat "$tmp/token.log")"
echo "ok: 5 concurrent cold requests, one fetch"

# the identity endpoint down (a port nothing listens on): APIM's 500 through on-error with
# LastError.Reason ManagedIdentityTokenFailure, and the gateway keeps serving
DEAD=127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
gateway gw3 "http://$DEAD/token"; GW3=$ADDR
for p in /be/x /pool/y /sr/z /mi/hello; do
    code=$(curl -s -m 10 -D "$tmp/down.h" -o "$tmp/down" -w '%{http_code}' "http://$GW3$p")
    [ "$code" = 500 ] || fail "endpoint down $p: status $code: $(cat "$tmp/down")"
    grep -q '"statusCode": *500' "$tmp/down" || fail "endpoint down $p: body $(cat "$tmp/down")"
    case $p in
    /mi/*) ;;
    *) grep -qi '^x-last-error: ManagedIdentityTokenFailure' "$tmp/down.h" ||
        fail "endpoint down $p: headers $(cat "$tmp/down.h")" ;;
    esac
done
kill -0 "${pids[-1]}" 2>/dev/null || fail "gw3 died"
echo "ok: endpoint down gives 500 with ManagedIdentityTokenFailure"
exit 0
