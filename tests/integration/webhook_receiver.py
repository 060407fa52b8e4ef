#!/usr/bin/env python3
"""A webhook receiver for the notification tests: listens on 127.0.0.1:PORT,
answers every POST with 200 and prints one JSON line per request: the path,
the parsed body, and whether X-Telehub-Signature verifies with SECRET (the
check docs/alerts.md shows receivers). With CERT and KEY it speaks HTTPS and
also prints the server name (SNI) the client asked for.

usage: webhook_receiver.py PORT SECRET [CERT KEY]"""
import hashlib
import hmac
import http.server
import json
import ssl
import sys

port, secret = int(sys.argv[1]), sys.argv[2].encode()
server_names = []


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Telehub-Signature", "")
        # Printed before the answer: once the client has its 200, the line is there to read.
        print(json.dumps({"path": self.path, "verified": hmac.compare_digest(want, got),
                          "sni": server_names[-1] if server_names else None,
                          "body": json.loads(body)}), flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", port), Receiver)
if len(sys.argv) > 4:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[3], sys.argv[4])
    tls.sni_callback = lambda sock, name, ctx: server_names.append(name)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
print("READY", flush=True)
server.serve_forever()
