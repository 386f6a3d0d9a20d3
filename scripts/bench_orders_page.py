"""Render time of the web portal's orders table (`GET /orders`, 50 orders on the page),
measured end to end over HTTP against portal-local on a free port with a fresh data dir.
A benchmark, not a test: it prints p50/p95/max and the JavaScript the page ships.

Run: cargo build -p portal-local && .venv/bin/python scripts/bench_orders_page.py [runs]
(or `cargo build --release -p portal-local` and PORTAL_LOCAL=target/release/portal-local)
"""

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    base = f"http://127.0.0.1:{port}"
    # PORTAL_LOCAL names the binary (e.g. a release build: target/release/portal-local).
    binary = os.environ.get("PORTAL_LOCAL", str(REPO / "target/debug/portal-local"))
    server = subprocess.Popen([binary, "--port", str(port),
                               "--data-dir", tempfile.mkdtemp(prefix="portal-bench-"), "--no-demo"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        key = next(m.group(1) for line in server.stdout
                   if (m := re.search(r"export COURIER_KEY=(\S+)", line)))
        # Keep reading the server's request log, or it blocks once the pipe is full.
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()

        def call(method, path, body=None, headers=None, form=None):
            data = form.encode() if form is not None else (json.dumps(body).encode() if body is not None else None)
            req = urllib.request.Request(base + path, data=data, method=method)
            req.add_header("authorization", f"Bearer {key}")
            for k, v in (headers or {}).items():
                req.add_header(k, v)
            opener = urllib.request.build_opener(NoRedirect)
            try:
                r = opener.open(req)
                return r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.headers, e.read()

        for _ in range(100):
            try:
                call("GET", "/openapi.json")
                break
            except Exception:
                time.sleep(0.1)
        _, _, body = call("POST", "/v1/clients", {"name": "Bloom", "email": "pia@bloom.example"})
        client = json.loads(body)["id"]
        call("POST", f"/v1/clients/{client}/invitation")
        _, _, outbox = call("GET", "/dev/outbox")
        token = re.findall(r"/invitations/([A-Za-z0-9_-]{43})", outbox.decode())[-1]
        _, headers, _ = call("POST", f"/invitations/{token}", headers={"origin": base},
                             form="name=Pia&password=a+long+passphrase")
        cookie = headers["set-cookie"].split(";")[0]
        for n in range(50):
            call("POST", "/v1/orders", {
                "clientId": client,
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": f"{n} Rue de la Paix", "city": "Paris"},
                            "recipient": {"name": f"Recipient {n}", "phone": "+33698765432"}}})
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            status, _, page = call("GET", "/orders", headers={"cookie": cookie})
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200 and page.count(b"<tr>") == 51, status  # 50 rows and the header
        times.sort()
        sources = [s.decode() for s in re.findall(rb'<script[^>]*src="([^"]+)"', page)]
        javascript = sum(len(call("GET", src)[2]) for src in sources)
        print(f"GET /orders, 50 orders, {runs} runs: p50 {statistics.median(times):.1f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms; "
              f"page {len(page)} bytes; JavaScript {javascript} bytes in {len(sources)} file(s)")
    finally:
        server.terminate()
        server.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


if __name__ == "__main__":
    main()
