#!/usr/bin/env python3
"""A webhook receiver written with Python's standard library only, as an independent
check of the stand-in's deliveries. Usage: receiver.py CERT KEY OUT EXPECTED_AUTH

It listens on a free loopback port over TLS, prints the port on its first line, and for
each POST appends one JSON line to OUT: the authorization and content-type headers it
got, and the body. It answers {"completed": true} when the authorization header equals
EXPECTED_AUTH, and 401 with {"code", "message"} otherwise."""
import http.server
import json
import ssl
import sys

cert, key, out, expected = sys.argv[1:5]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(length, 65536)).decode("utf-8")
        auth = self.headers.get("authorization", "")
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({
                "path": self.path,
                "authorization": auth,
                "content_type": self.headers.get("Content-Type", ""),
                "body": body,
            }) + "\n")
        if auth == expected:
            status, answer = 200, {"completed": True}
        else:
            status, answer = 401, {"code": "PY401", "message": "authorization refused"}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
