#!/usr/bin/env python3
"""A small OpenID Connect token endpoint for the OAUTHBEARER tests (scripts/kafka up --security
sasl-ssl-oauthbearer): the client-credentials grant (RFC 6749 4.4, client authenticated with
HTTP Basic or in the body) answered with RS256-signed JWTs, and the key set the broker verifies
them with. Python's standard library plus openssl(1) for the signatures.

    oidc_server.py DIR CLIENT_ID CLIENT_SECRET AUDIENCE LIFETIME_SECONDS

DIR/oidc.key is the RSA key (made by scripts/kafka); the server listens on a free port of
127.0.0.1, writes it to DIR/port once it accepts connections, and appends one line per token
issued to DIR/issued.log ("CLIENT_ID EXPIRY USER-AGENT"). Routes: POST /token, GET /jwks.
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR, CLIENT_ID, CLIENT_SECRET, AUDIENCE, LIFETIME = sys.argv[1:6]
LIFETIME = int(LIFETIME)
KEY = os.path.join(DIR, "oidc.key")
KID = "warren-test"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwks():
    out = subprocess.run(["openssl", "rsa", "-in", KEY, "-noout", "-modulus"],
                         check=True, capture_output=True, text=True).stdout
    modulus = bytes.fromhex(out.strip().split("=", 1)[1])
    return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID,
                      "n": b64url(modulus), "e": b64url((65537).to_bytes(3, "big"))}]}


def sign(claims):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": KID}).encode())
    payload = b64url(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY],
                               input=signing_input, check=True, capture_output=True).stdout
    return f"{header}.{payload}.{b64url(signature)}"


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/jwks":
            self.reply(200, JWKS)
        else:
            self.reply(404, {"error": "not_found"})

    def do_POST(self):
        if self.path != "/token":
            return self.reply(404, {"error": "not_found"})
        length = int(self.headers.get("content-length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        field = lambda k: form.get(k, [""])[0]
        client_id, secret = field("client_id"), field("client_secret")
        auth = self.headers.get("authorization", "")
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            client_id, secret = urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
        if field("grant_type") != "client_credentials":
            return self.reply(400, {"error": "unsupported_grant_type"})
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return self.reply(401, {"error": "invalid_client",
                                    "error_description": "unknown client or wrong secret"})
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": client_id, "iat": now,
                  "exp": now + LIFETIME, "scope": field("scope") or "kafka"}
        token = sign(claims)
        with open(os.path.join(DIR, "issued.log"), "a") as log:
            agent = self.headers.get("user-agent", "-").replace(" ", "_")
            log.write(f"{client_id} {now + LIFETIME} {agent}\n")
        self.reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": LIFETIME})

    def log_message(self, *args):
        pass


JWKS = jwks()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ISSUER = f"http://127.0.0.1:{server.server_address[1]}"
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
