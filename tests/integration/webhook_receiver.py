#!/usr/bin/env python3
"""A webhook receiver for the notification tests: listens on 127.0.0.1:PORT,
answers every POST with 200 and prints one JSON line per request: the path,
the parsed body, and whether X-Telehub-Signature verifies with SECRET (the
check docs/alerts.md shows receivers)."""
import hashlib
import hmac
import http.server
import json
import sys

port, secret = int(sys.argv[1]), sys.argv[2].encode()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Telehub-Signature", "")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        print(json.dumps({"path": self.path, "verified": hmac.compare_digest(want, got),
                          "body": json.loads(body)}), flush=True)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", port), Receiver)
print("READY", flush=True)
server.serve_forever()
