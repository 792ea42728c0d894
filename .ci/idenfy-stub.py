"""iDenfy on loopback for the Schemathesis run: `POST /api/v2/token` with Basic auth answers
like iDenfy (201 with authToken, scanRef, redirectUrl, expiryTime), so that starting an
identity verification reaches the portal's own logic. Usage: idenfy-stub.py PORTFILE KEY SECRET;
it listens on a free port of its own choosing and writes it to PORTFILE once it listens (a
port chosen beforehand could be taken by another process before it is bound)."""

import base64
import json
import os
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT_FILE, KEY, SECRET = sys.argv[1], sys.argv[2], sys.argv[3]
EXPECTED = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()


class Token(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path != "/api/v2/token":
            return self.answer(404, {"message": "Not found", "identifier": "NOT_FOUND"})
        if self.headers.get("Authorization") != EXPECTED:
            return self.answer(401, {"message": "Unauthorized", "identifier": "UNAUTHORIZED"})
        try:
            body = json.loads(raw)
        except ValueError:
            return self.answer(400, {"message": "Invalid JSON", "identifier": "INVALID_BODY"})
        token = uuid.uuid4().hex
        self.answer(201, {
            "message": "Token created successfully",
            "authToken": token,
            "scanRef": str(uuid.uuid4()),
            "clientId": body.get("clientId"),
            "callbackUrl": body.get("callbackUrl"),
            "locale": body.get("locale"),
            "expiryTime": body.get("expiryTime") or 3600,
            "sessionLength": 600,
            "tokenType": "IDENTIFICATION",
            "redirectUrl": f"http://127.0.0.1:{self.server.server_port}/api/v2/redirect?authToken={token}",
        })

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Token)
with open(PORT_FILE + ".part", "w") as out:
    out.write(str(server.server_port))
os.replace(PORT_FILE + ".part", PORT_FILE)
server.serve_forever()
