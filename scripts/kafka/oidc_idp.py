#!/usr/bin/env python3
"""A small OAuth 2 / OIDC identity provider for kfk's tests (started by
`kafka-local up --oidc`, scripts/kafka/oidc.sh).

Serves over HTTPS:
  POST /token  the client-credentials grant: the client id and secret in
               HTTP Basic auth (or client_id/client_secret form fields);
               answers {"access_token": <RS256 JWT>, "token_type": "Bearer",
               "expires_in": N} with sub = the client id, aud, iss, scope,
               iat, nbf and exp; a wrong id or secret gets 401
               {"error": "invalid_client"}.
  GET /jwks    the signing key as a JSON Web Key Set.

Clients come from a file, one `id secret lifetime_seconds` per line. Every
token issued and every refusal is logged (never a token or a secret) to
the log file as `issued client=ID exp=... lifetime=...` or
`refused client=ID reason=...`, which the tests count."""
import argparse
import base64
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint_b64(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Idp:
    def __init__(self, args):
        self.args = args
        self.kid = "kfk-test-key"
        self.key = self.load_key(args.signing_key)
        self.clients = {}
        with open(args.clients) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    self.clients[parts[0]] = (parts[1], int(parts[2]))
        self.log_lock = threading.Lock()
        self.log_file = open(args.log, "a", buffering=1)

    @staticmethod
    def load_key(path):
        if os.path.exists(path):
            with open(path, "rb") as f:
                return serialization.load_pem_private_key(f.read(), password=None)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        return key

    def log(self, line):
        with self.log_lock:
            self.log_file.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))

    def jwks(self):
        pub = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                          "n": uint_b64(pub.n), "e": uint_b64(pub.e)}]}

    def token(self, client, lifetime, scope):
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        claims = {"iss": self.args.issuer, "sub": client, "aud": self.args.audience,
                  "scope": scope or self.args.scope, "iat": now, "nbf": now,
                  "exp": now + lifetime}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        sig = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig), claims["exp"]


def make_handler(idp):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # the log file has what tests need
            pass

        def send_json(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.split("?")[0] == "/jwks":
                idp.log("jwks")
                self.send_json(200, idp.jwks())
            else:
                self.send_json(404, {"error": "not_found"})

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(n).decode("ascii", "replace"))
            if self.path.split("?")[0] != "/token":
                self.send_json(404, {"error": "not_found"})
                return
            client = secret = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    raw = base64.b64decode(auth[6:]).decode()
                    client, _, secret = raw.partition(":")
                    client = urllib.parse.unquote(client)
                    secret = urllib.parse.unquote(secret)
                except ValueError:
                    client = None
            else:
                client = (form.get("client_id") or [None])[0]
                secret = (form.get("client_secret") or [None])[0]
            if (form.get("grant_type") or [""])[0] != "client_credentials":
                idp.log("refused client=%s reason=unsupported_grant_type" % client)
                self.send_json(400, {"error": "unsupported_grant_type"})
                return
            known = idp.clients.get(client or "")
            if not known or known[0] != secret:
                idp.log("refused client=%s reason=invalid_client" % client)
                self.send_json(401, {"error": "invalid_client",
                                     "error_description": "unknown client or wrong secret"})
                return
            lifetime = known[1]
            scope = (form.get("scope") or [""])[0]
            tok, exp = idp.token(client, lifetime, scope)
            idp.log("issued client=%s exp=%d lifetime=%d" % (client, exp, lifetime))
            self.send_json(200, {"access_token": tok, "token_type": "Bearer",
                                 "expires_in": lifetime})

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--cert", required=True, help="PEM certificate chain")
    p.add_argument("--key", required=True, help="PEM key of the certificate")
    p.add_argument("--signing-key", required=True, help="RSA key file (made if missing)")
    p.add_argument("--clients", required=True, help="lines: id secret lifetime_seconds")
    p.add_argument("--log", required=True)
    p.add_argument("--audience", default="kafka")
    p.add_argument("--issuer", default="https://localhost/kfk-test-idp")
    p.add_argument("--scope", default="kafka")
    args = p.parse_args()
    idp = Idp(args)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(idp))
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    idp.log("started port=%d" % args.port)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
