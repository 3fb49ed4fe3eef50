#!/usr/bin/env python3
"""A webhook receiver written with Python's standard library only, independent of
Cotejo's Go code: HTTPS with the test's certificate, basic auth checked, each report
decoded (JSON, or multipart form data) with its nested JSON strings, and one JSON line
per report appended to the output file. Prints its port on stdout once listening.

usage: receiver.py CERT KEY USER PASSWORD OUTFILE
"""
import base64
import email.parser
import email.policy
import http.server
import json
import ssl
import sys

CERT, KEY, USER, PASSWORD, OUT = sys.argv[1:6]
WANT = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def fields(ctype, body):
    if ctype.startswith("multipart/form-data"):
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
        return {p.get_param("name", header="content-disposition"): p.get_content()
                for p in msg.iter_parts()}
    return json.loads(body)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        if self.headers.get("Authorization") != WANT:
            self.send_response(401)
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        f = fields(self.headers.get("Content-Type", ""), body)
        rec = {"ID": f["ID"], "Estado": int(f["Estado"]), "Servicio": f["Servicio"],
               "ctype": self.headers.get("Content-Type", "").split(";")[0]}
        for k in ("Acceso", "Dispositivo", "Posicion", "Result"):
            if f.get(k):
                rec[k] = json.loads(f[k])
        with open(OUT, "a") as out:
            out.write(json.dumps(rec, sort_keys=True) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
