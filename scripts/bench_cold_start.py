"""Cold-start benchmark harness (run by scripts/bench-cold-start.sh).

Runs each Lambda binary against a fake Lambda Runtime API on loopback, as the Lambda
service would start it, and measures:

- init: process start -> its first `GET /2018-06-01/runtime/invocation/next` (the runtime
  and the function's clients are built by then);
- first invocation: the event handed out by that GET -> the function's
  `POST .../invocation/{id}/response` (or `/error`), a real request against moto server.

Each run is a new process (a cold start). Prints one line per function: binary and zip
size (the arm64 build that deploys), init min/median/max, first-invocation median and the
init median's ratio to the bare lambda_runtime hello world's (a hello cold start is made
next to each of the function's, so both medians come from the same minutes of load), and
how many files under the
system's certificate directories one more cold start and invocation opens (under strace).

Standard library only, plus PyYAML (in .venv, with cfn-lint) to read template.yaml.
"""

import argparse
import glob
import json
import os
import re
import statistics
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

HELLO = "bench-hello"
PREFIX = "/2018-06-01/runtime"


class QuietServer(ThreadingHTTPServer):
    """A stopped function's connection reset mid-poll is how every run ends, not an error."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class Runtime:
    """One fake Runtime API: serves one event, records the times, then holds the next poll."""

    def __init__(self):
        self.lock = threading.Condition()
        self.generation = 0
        self.reset(None)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", headers=None):
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the process was stopped while its poll was held

            def stale(self):
                with server.lock:
                    return self.server.run != server.generation

            def do_GET(self):
                if self.stale():
                    return self.reply(503)
                if self.path != PREFIX + "/invocation/next":
                    return self.reply(404)
                now = time.perf_counter()
                with server.lock:
                    generation = server.generation
                    first = server.first_poll is None
                    if first:
                        server.first_poll = now
                        server.lock.notify_all()
                if not first:
                    # The function finished its invocation: hold the poll, the process is
                    # stopped by the harness.
                    with server.lock:
                        server.lock.wait_for(lambda: server.generation != generation, timeout=60)
                    return self.reply(503)
                body = json.dumps(server.event).encode()
                headers = {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": server.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30_000),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:bench",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                }
                server.served = time.perf_counter()
                self.reply(200, body, headers)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.stale():
                    return self.reply(503)
                now = time.perf_counter()
                outcome = None
                if self.path == f"{PREFIX}/invocation/{server.request_id}/response":
                    outcome = "response"
                elif self.path == f"{PREFIX}/invocation/{server.request_id}/error":
                    outcome = "error"
                elif self.path == PREFIX + "/init/error":
                    outcome = "init-error"
                if outcome is None:
                    return self.reply(404)
                with server.lock:
                    server.done = now
                    server.outcome = outcome
                    server.body = body
                    server.lock.notify_all()
                self.reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})

        self.handler = Handler
        self.httpd = None
        self.serve()

    def serve(self):
        """A new listening port for each cold start: a request the previous (stopped) process
        left in flight reaches the old port, marked with its run, and is refused, so it can
        never take the next run's event."""
        if self.httpd is not None:
            # Stopped in the background: shutdown() waits for the serving loop's next poll.
            old = self.httpd
            threading.Thread(target=lambda: (old.shutdown(), old.server_close()), daemon=True).start()
        self.httpd = QuietServer(("127.0.0.1", 0), self.handler)
        self.httpd.daemon_threads = True
        self.httpd.run = self.generation
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"

    def reset(self, event):
        """Called under the lock (or before the server starts)."""
        self.event = event
        self.request_id = str(uuid.uuid4())
        self.first_poll = None
        self.served = None
        self.done = None
        self.outcome = None
        self.body = b""

    def run_once(self, binary, env, event, timeout=30.0, wrapper=()):
        """One cold start: (init seconds, invocation seconds, outcome, body)."""
        with self.lock:
            self.reset(event)
        self.serve()
        env = dict(env, AWS_LAMBDA_RUNTIME_API=self.address)
        started = time.perf_counter()
        process = subprocess.Popen(
            [*wrapper, binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            with self.lock:
                finished = self.lock.wait_for(
                    lambda: self.done is not None or process.poll() is not None,
                    timeout=timeout,
                )
            if not finished or self.done is None:
                stderr = b""
                if process.poll() is not None:
                    stderr = process.stderr.read()
                stage = "never polled" if self.first_poll is None else ("polled, no event yet" if self.served is None else "event served, no answer")
                raise RuntimeError(
                    f"{os.path.basename(binary)}: no response from the function ({stage}; exit status {process.poll()})\n{stderr.decode(errors='replace')[-2000:]}"
                )
            init = (self.first_poll or self.done) - started
            invoke = self.done - self.served if self.served else None
            return init, invoke, self.outcome, self.body
        finally:
            process.kill()
            process.wait()
            with self.lock:
                self.generation += 1
                self.lock.notify_all()


def fixtures_dir():
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    found = sorted(glob.glob(f"{cargo_home}/registry/src/*/aws_lambda_events-*/src/fixtures"))
    if not found:
        sys.exit("bench: aws_lambda_events' fixtures not found in the cargo registry (run cargo fetch)")
    return found[-1]


def fixture(name):
    with open(os.path.join(fixtures_dir(), name)) as f:
        return json.load(f)


def load_template(path):
    """template.yaml as data; CloudFormation's short tags (!Ref, !Sub, ...) read as their
    text when they tag a scalar (`!Sub "...${XFunction.Arn}..."`), else as None."""

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader, suffix, node):
        return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None

    Loader.add_multi_constructor("!", tagged)
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def template_functions(path):
    """Each function's binary and its (method, path) routes, read from the HTTP API's
    DefinitionBody: a method's integration uri names its function (${XFunction.Arn})."""
    doc = load_template(path)
    resources = doc["Resources"]
    binaries = {
        logical_id: resource["Metadata"]["BuildProperties"]["Binary"]
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }
    functions = {binary: [] for binary in binaries.values()}
    for resource in resources.values():
        if resource.get("Type") != "AWS::Serverless::HttpApi":
            continue
        paths = ((resource["Properties"].get("DefinitionBody") or {}).get("paths")) or {}
        for route, methods in paths.items():
            for method, operation in methods.items():
                if method == "parameters":
                    continue
                uri = operation["x-amazon-apigateway-integration"]["uri"]
                logical_id = re.search(r"/functions/\$\{(\w+)\.Arn\}", uri).group(1)
                functions[binaries[logical_id]].append((method.upper(), route))
    return functions


def fake_id(prefix):
    # A well-formed id (prefix + ULID) that names nothing in the table.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    n = uuid.uuid4().int
    return prefix + "".join(alphabet[(n >> (5 * i)) & 31] for i in range(26))


CLIENT_ROUTES = {
    "get-notification-settings", "put-notification-settings",
    "get-tracking-page-settings", "put-tracking-page-settings",
    "update-order", "withdraw-order", "resubmit-order",
}


def http_event(function, method, path, seed, run):
    event = fixture("example-apigw-v2-request-lambda-authorizer.json")
    params = {}
    for part in path.split("/"):
        if part.startswith("{"):
            name = part[1:-1]
            params[name] = {
                "clientId": fake_id("cli_"), "keyId": fake_id("key_"),
                "orderId": fake_id("ord_"), "taskId": fake_id("tsk_") + "_pickup",
            }.get(name, uuid.uuid4().hex)
    raw_path = path
    for name, value in params.items():
        raw_path = raw_path.replace("{" + name + "}", value)
    body = {}
    if function == "create-client":
        body = {"name": f"Bench {run}", "email": f"bench-{uuid.uuid4().hex[:12]}@example.com"}
    elif function == "record-task-event":
        body = {"type": "started"}
    if function in CLIENT_ROUTES:
        principal = {"role": "client", "courierId": seed["courierId"],
                     "clientId": fake_id("cli_"), "keyId": fake_id("key_")}
    else:
        principal = {"role": "courier", "courierId": seed["courierId"], "keyId": seed["keyId"]}
    event.update({
        "routeKey": f"{method} {path}", "rawPath": raw_path, "rawQueryString": "",
        "cookies": [], "queryStringParameters": {}, "pathParameters": params,
        "body": json.dumps(body) if method in ("POST", "PUT", "PATCH") else None,
        "isBase64Encoded": False,
        "headers": {"content-type": "application/json", "host": "bench.example"},
    })
    event["requestContext"]["http"].update({"method": method, "path": raw_path})
    event["requestContext"]["routeKey"] = f"{method} {path}"
    event["requestContext"]["domainName"] = "bench.example"
    event["requestContext"]["authorizer"] = {"lambda": principal}
    return event


def event_for(function, routes, seed, run):
    if routes:
        method, path = routes[0]
        return http_event(function, method, path, seed, run)
    if function == "authorizer":
        event = fixture("example-apigw-v2-request-lambda-authorizer.json")
        event["type"] = "REQUEST"
        event["routeArn"] = "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/v1/clients"
        event["identitySource"] = []
        event["headers"] = {"authorization": f"Bearer {seed['apiKey']}"}
        return event
    if function == "sms-inbound":
        event = fixture("example-sns-event-obj.json")
        event["Records"][0]["Sns"]["Message"] = json.dumps({
            "originationNumber": "+33698765432", "destinationNumber": "+33700000000",
            "messageKeyword": "HELP", "messageBody": "HELP",
            "inboundMessageId": str(uuid.uuid4()),
        })
        return event
    if function == "status-fanout":
        # The fixture's records (not order changes): the handler's decode-and-filter path.
        return fixture("example-dynamodb-event.json")
    if function == "draft-reminders":
        # The hourly schedule's event (EventBridge, "Scheduled Event"): a run over the
        # sparse index of drafts (empty here: the run's query, nothing to send).
        event = fixture("example-eventbridge-event-obj.json")
        event["detail-type"] = "Scheduled Event"
        event["source"] = "aws.events"
        event["detail"] = {}
        return event
    sys.exit(f"bench: no event for {function}")


CERT_DIRS = ("/etc/ssl", "/usr/lib/ssl", "/etc/pki", "/usr/share/ca-certificates", "/usr/local/share/ca-certificates")


def cert_files_opened(runtime, binary, env, event):
    """One more cold start and invocation under strace: how many files under the system's
    certificate directories the process opens (None when strace is not installed)."""
    if not shutil.which("strace"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".strace") as trace:
        wrapper = ("strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", trace.name)
        runtime.run_once(binary, env, event, wrapper=wrapper)
        with open(trace.name, errors="replace") as f:
            return sum(1 for line in f if any(d in line for d in CERT_DIRS))


def size(path):
    return os.path.getsize(path) if os.path.exists(path) else None


def binary_size(arm):
    """The arm64 binary's size: `bootstrap` beside the zip, or the zip's one entry
    (`--output-format zip` leaves only the zip)."""
    found = size(os.path.join(arm, "bootstrap"))
    if found is None and os.path.exists(os.path.join(arm, "bootstrap.zip")):
        with zipfile.ZipFile(os.path.join(arm, "bootstrap.zip")) as archive:
            found = archive.getinfo("bootstrap").file_size
    return found


def mb(n):
    return "-" if n is None else f"{n / 1_000_000:.2f} MB"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--timing-bins", required=True, help="directory of the binaries to run")
    parser.add_argument("--lambda-dir", required=True, help="cargo-lambda's target/lambda (arm64)")
    parser.add_argument("--template", required=True)
    parser.add_argument("--seed", required=True, help="JSON from portal-admin create-courier")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("functions", nargs="+")
    args = parser.parse_args()

    routes = template_functions(args.template)
    with open(args.seed) as f:
        seed = json.load(f)
    if "keyId" not in seed:
        seed["keyId"] = fake_id("key_")
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench", "RUST_LOG": env.get("RUST_LOG", "info"),
    })
    runtime = Runtime()
    env["AWS_LAMBDA_RUNTIME_API"] = runtime.address

    rows = []
    hello_median = None
    hello_binary = os.path.join(args.timing_bins, HELLO)
    for function in [HELLO] + [f for f in args.functions if f != HELLO]:
        binary = os.path.join(args.timing_bins, function)
        if not os.path.exists(binary):
            sys.exit(f"bench: {binary} is missing")
        inits, invokes, outcomes, hello_inits = [], [], {}, []
        for run in range(args.runs):
            if function != HELLO:
                # A hello-world cold start next to each of the function's: the ratio compares
                # starts made under the same load, minute by minute.
                hello_init, _, _, _ = runtime.run_once(hello_binary, env, {"bench": run})
                hello_inits.append(hello_init * 1000)
            event = {"bench": run} if function == HELLO else event_for(function, routes.get(function, []), seed, run)
            try:
                init, invoke, outcome, body = runtime.run_once(binary, env, event)
            except RuntimeError as failure:
                # Reported in the answers column (and here), not silently dropped.
                print(f"bench: {failure}", file=sys.stderr)
                outcomes["no response"] = outcomes.get("no response", 0) + 1
                continue
            inits.append(init * 1000)
            if invoke is not None:
                invokes.append(invoke * 1000)
            try:
                status = json.loads(body).get("statusCode", outcome) if outcome == "response" else outcome
            except (ValueError, AttributeError):
                status = outcome
            outcomes[str(status)] = outcomes.get(str(status), 0) + 1
        if not inits:
            sys.exit(f"bench: {function} never answered")
        certs = cert_files_opened(runtime, binary, env, event)
        median = statistics.median(inits)
        if function == HELLO:
            hello_median = median
        beside = statistics.median(hello_inits) if hello_inits else median
        arm = os.path.join(args.lambda_dir, function)
        rows.append({
            "function": function,
            "binary": binary_size(arm),
            "zip": size(os.path.join(arm, "bootstrap.zip")),
            "init_min": min(inits), "init_median": median, "init_max": max(inits),
            "invoke_median": statistics.median(invokes) if invokes else None,
            "ratio": median / beside,
            "hello_beside": beside,
            "outcomes": outcomes,
            "cert_files": certs,
        })

    header = f"{'function':<28} {'binary':>9} {'zip':>9} {'init min/median/max ms':>24} {'1st invoke ms':>13} {'x hello':>7} {'certs':>5}  answers"
    print(header)
    print("-" * len(header))
    for r in rows:
        init = f"{r['init_min']:.1f}/{r['init_median']:.1f}/{r['init_max']:.1f}"
        invoke = "-" if r["invoke_median"] is None else f"{r['invoke_median']:.1f}"
        answers = ", ".join(f"{k}×{v}" for k, v in sorted(r["outcomes"].items()))
        certs = "-" if r["cert_files"] is None else str(r["cert_files"])
        print(f"{r['function']:<28} {mb(r['binary']):>9} {mb(r['zip']):>9} {init:>24} {invoke:>13} {r['ratio']:>7.2f} {certs:>5}  {answers}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
