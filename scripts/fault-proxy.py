#!/usr/bin/env python3
"""A fault-injecting proxy between the portal's AWS clients and moto server (tests only).

    .venv/bin/python scripts/fault-proxy.py --upstream http://127.0.0.1:5000 [--port 0]

Prints `listening on PORT` once ready, then forwards every request to the upstream unchanged,
except the calls a rule picks. Rules are set over HTTP on the proxy itself:

    POST   /__faults   {"rules": [RULE, ...]}   replaces the rules and zeroes the counters
    GET    /__faults   {"calls": {"dynamodb.PutItem": 12, ...}, "injected": {...}}
    DELETE /__faults   no rules (counters kept)

A RULE picks calls of one operation (counted per operation, from 0, retries included) and
says what happens to them:

    {"service": "dynamodb" | "sns" | "ses" | "*",
     "operation": "PutItem" | "*",
     "every": 10, "at": [0, 3, 6],       # calls whose count modulo `every` is in `at`
     "fault": FAULT}

FAULT is one of:
    "throttle"     DynamoDB ThrottlingException, SNS Throttling, SES 429 TooManyRequests
    "throughput"   DynamoDB ProvisionedThroughputExceededException
    "500", "503"   an internal error / service unavailable answer
    "timeout"      no answer for `seconds` (default 6: past the clients' 4 s attempt bound)
    "reset"        the connection closed with no answer
    "lost"         the call is forwarded and takes effect, then the answer is replaced by a
                   500 (the caller cannot know it was committed)
    "lost-reset"   forwarded and taken effect, then the connection closed with no answer

The operation is read as AWS names it: DynamoDB's `X-Amz-Target`, SNS's `Action`, and for
SES v2 the REST path (`SendEmail` for POST /v2/email/outbound-emails).
"""

import argparse
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"rules": [], "calls": {}, "injected": {}}


def operation_of(path, headers, body):
    target = headers.get("X-Amz-Target", "")
    if target.startswith("DynamoDB_"):
        return "dynamodb", target.split(".", 1)[1]
    if target.startswith("DynamoDBStreams_"):
        return "streams", target.split(".", 1)[1]
    if path.startswith("/v2/email/"):
        if path.startswith("/v2/email/outbound-emails"):
            return "ses", "SendEmail"
        return "ses", path.split("/")[3] if len(path.split("/")) > 3 else "other"
    if body and b"Action=" in body:
        action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
        return "sns", action
    return "other", path


def pick(service, operation):
    """Counts the call, and returns the fault a rule gives it, if any."""
    name = f"{service}.{operation}"
    with LOCK:
        count = STATE["calls"].get(name, 0)
        STATE["calls"][name] = count + 1
        for rule in STATE["rules"]:
            if rule.get("service", "*") not in ("*", service):
                continue
            if rule.get("operation", "*") not in ("*", operation):
                continue
            every = int(rule.get("every", 1))
            if count % every in rule.get("at", [0]):
                STATE["injected"][name] = STATE["injected"].get(name, 0) + 1
                return rule
    return None


def error_answer(service, fault):
    """(status, headers, body) of an AWS error of the service's protocol."""
    if service in ("dynamodb", "streams"):
        kind = {
            "throttle": (400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
            "throughput": (400, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded."),
            "503": (503, "ServiceUnavailable", "The service is unavailable."),
        }.get(fault, (500, "InternalServerError", "Internal server error"))
        status, code, message = kind
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}).encode()
        return status, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}, body
    if service == "ses":
        status, code = {"throttle": (429, "TooManyRequestsException"), "503": (503, "ServiceUnavailable")}.get(fault, (500, "InternalFailure"))
        body = json.dumps({"message": code}).encode()
        return status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body
    status, code, kind = {"throttle": (400, "Throttling", "Sender"), "503": (503, "ServiceUnavailable", "Receiver")}.get(fault, (500, "InternalFailure", "Receiver"))
    body = (
        f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{code}</Message></Error>"
        f"<RequestId>fault-proxy</RequestId></ErrorResponse>"
    ).encode()
    return status, {"Content-Type": "text/xml"}, body


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None

    def log_message(self, *args):
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _control(self, body):
        with LOCK:
            if self.command == "POST":
                STATE["rules"] = json.loads(body or b"{}").get("rules", [])
                STATE["calls"], STATE["injected"] = {}, {}
            elif self.command == "DELETE":
                STATE["rules"] = []
            answer = json.dumps({"rules": STATE["rules"], "calls": STATE["calls"], "injected": STATE["injected"]}).encode()
        self._send(200, {"Content-Type": "application/json"}, answer)

    def _forward(self, body):
        url = urllib.parse.urlsplit(self.upstream)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), data

    def _reset(self):
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
        self.connection.shutdown(socket.SHUT_RDWR)

    def _handle(self):
        body = self._body()
        if self.path.startswith("/__faults"):
            return self._control(body)
        service, operation = operation_of(self.path, self.headers, body)
        rule = pick(service, operation)
        fault = rule and rule["fault"]
        if fault in ("throttle", "throughput", "500", "503"):
            return self._send(*error_answer(service, fault))
        if fault == "timeout":
            time.sleep(float(rule.get("seconds", 6)))
            return self._reset()
        if fault == "reset":
            return self._reset()
        status, headers, data = self._forward(body)
        if fault == "lost":
            return self._send(*error_answer(service, "500"))
        if fault == "lost-reset":
            return self._reset()
        return self._send(status, headers, data)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    Proxy.upstream = args.upstream
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Proxy)
    server.daemon_threads = True
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
