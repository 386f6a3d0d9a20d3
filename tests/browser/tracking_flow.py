"""The recipient's tracking page in Chromium (Debian's, through Playwright), against
portal-local on a free port with a fresh data dir (issue 19, the driver's side): the
driver's position (posted by dispatch) shown while the dropoff is active, with its time in
words; **Call** / **Text** only once the client allows contacting the driver, with the
driver's first name only; nothing of the driver once delivered; then the recipient rates the
delivery with the keyboard, a bad comment refused next to its field first, the rating shown
on the client's order page. Everything works without JavaScript (the page's one script, live.js, only makes it update
itself: tests/browser/live_flow.py). axe on
every view (no serious or critical violations); screenshots go to target/screenshots/
(prefix 3x-). The map's tiles come from a local tile stub (`MAP_TILE_URL_TEMPLATE`): no
request leaves the machine.

Run: .venv/bin/python tests/browser/tracking_flow.py (after `cargo build -p portal-local`).
"""

import http.server
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from portal_flow import ARGS, CHROMIUM, REPO, SHOTS, Api, axe_check, check, free_port, invitation_link, results, shot

PHONE = "+33600000001"
TILE_HITS = []


def tile_png():
    """A plain 256 x 256 light grey PNG: what the stub answers for every tile."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xdd\xe2\xe8" * 256 for _ in range(256))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class TileStub(http.server.BaseHTTPRequestHandler):
    PNG = tile_png()

    def do_GET(self):
        ok = re.fullmatch(r"/tiles/15/\d+/\d+\.png", self.path) is not None
        TILE_HITS.append(self.path)
        self.send_response(200 if ok else 404)
        self.send_header("content-type", "image/png")
        self.end_headers()
        if ok:
            self.wfile.write(self.PNG)

    def log_message(self, *args):
        pass


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    data = tempfile.mkdtemp(prefix="portal-tracking-")
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TileStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    env = dict(os.environ, MAP_TILE_URL_TEMPLATE=f"http://127.0.0.1:{stub.server_port}/tiles/{{z}}/{{x}}/{{y}}.png",
               MAP_ATTRIBUTION="© Stub tiles")
    binary = REPO / "target" / "debug" / "portal-local"
    server = subprocess.Popen([str(binary), "--port", str(port), "--data-dir", data, "--no-demo"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        courier_key = None
        for line in server.stdout:
            m = re.search(r"export COURIER_KEY=(\S+)", line)
            if m:
                courier_key = m.group(1)
                break
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        api = Api(base)
        for _ in range(100):
            try:
                api.call("GET", "/openapi.json")
                break
            except Exception:
                time.sleep(0.1)
        run(api, base, courier_key)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def event(api, key, task, body):
    status, answer = api.call("POST", f"/v1/tasks/{task}/events", key, body)
    assert status < 300, (status, answer)


def run(api, base, courier_key):
    _, client = api.call("POST", "/v1/clients", courier_key, {"name": "Bloom Florists", "email": "pia@bloom.example"})
    api.call("POST", f"/v1/clients/{client['id']}/invitation", courier_key)
    token = invitation_link(api, "pia@bloom.example").rsplit("/", 1)[1]
    _, accepted = api.call("POST", f"/v1/invitations/{token}/accept")
    client_key = accepted["apiKey"]["key"]
    status, order = api.call("POST", "/v1/orders", client_key, {
        "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
        "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                    "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}})
    assert status == 201, order
    pickup, dropoff = order["pickup"]["id"], order["dropoff"]["id"]
    track = order["trackingUrl"][order["trackingUrl"].index("/track/"):]
    driver = {"type": "assigned", "driver": {"name": "Sam Rider", "phone": PHONE}}
    for task, body in [(pickup, driver), (dropoff, driver), (pickup, {"type": "started"}),
                       (pickup, {"type": "completed"})]:
        event(api, courier_key, task, body)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # The recipient's phone: no JavaScript at all, the page works with a reload.
        context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
        page = context.new_page()
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        axe_page = browser.new_page(viewport={"width": 390, "height": 844})
        axe = Axe()

        api.call("POST", f"/v1/tasks/{dropoff}/location", courier_key, {"lat": 45.76, "lng": 4.83})
        page.goto(base + track)
        check("no position before the driver sets off for the dropoff", page.locator("#driver-location").count() == 0)

        event(api, courier_key, dropoff, {"type": "started", "location": {"lat": 48.8566, "lng": 2.3522}})
        status, _ = api.call("POST", f"/v1/tasks/{dropoff}/location", courier_key, {"lat": 48.8606, "lng": 2.3376})
        assert status == 200
        page.reload()
        location = page.locator("#driver-location")
        check("the driver's position is shown while on the way", location.is_visible())
        check("its time reads in words", re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}", location.inner_text()) is not None,
              location.inner_text())
        check("the position opens in the recipient's maps app",
              location.get_by_role("link", name="Open in your maps app").get_attribute("href") == "geo:48.860600,2.337600")
        check("no Call / Text unless the client allows it", page.locator("#contact-driver").count() == 0)
        drawn = page.locator("#driver-map img")
        check("a map of tiles around the driver, from the tile stub", drawn.count() >= 2
              and all("/tiles/15/" in drawn.nth(i).get_attribute("src") for i in range(drawn.count())),
              str(drawn.count()))
        check("the tiles load", any(h.startswith("/tiles/15/16596/11272.png") for h in TILE_HITS), str(TILE_HITS))
        check("the map credits its tiles", page.locator("p.attribution").inner_text() == "© Stub tiles")
        axe_page.goto(base + track)
        axe_check(axe_page, axe, "/track/{token} (on the way)")

        status, _ = api.call("PUT", "/v1/settings/tracking-page", client_key, {"contactDriver": True})
        assert status == 200
        page.reload()
        call = page.get_by_role("link", name="Call Sam")
        text = page.get_by_role("link", name="Text Sam")
        check("Call and Text once allowed", call.get_attribute("href") == f"tel:{PHONE}"
              and text.get_attribute("href") == f"sms:{PHONE}")
        check("never the driver's surname", "Rider" not in page.content())
        page.keyboard.press("Tab")
        focused = [page.evaluate("document.activeElement.textContent")]
        for _ in range(4):
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.textContent"))
        check("the buttons are reached with the keyboard", "Call Sam" in focused and "Text Sam" in focused, str(focused))
        axe_page.goto(base + track)
        axe_check(axe_page, axe, "/track/{token} (Call and Text)")
        shot(page, "31-tracking-driver")

        event(api, courier_key, dropoff, {"type": "completed"})
        page.reload()
        check("nothing of the driver once delivered", page.locator("#driver-location").count() == 0
              and page.locator("#contact-driver").count() == 0)

        # The rating, with the keyboard, without JavaScript: sent without stars first.
        check("the comment box holds at most 1,000 characters",
              page.get_by_label("Comment (optional)").get_attribute("maxlength") == "1000")
        page.get_by_label("Comment (optional)").fill("Quick and kind")
        page.get_by_role("button", name="Send rating").press("Enter")
        error = page.locator("#stars-error")
        check("a rating without stars is refused next to its field",
              error.count() == 1 and "1 to 5 stars" in error.inner_text(),
              page.url + " " + page.locator("main").inner_text()[:800])
        check("the comment typed is kept", page.get_by_label("Comment (optional)").input_value() == "Quick and kind")
        axe_page.set_content(page.content())
        axe_check(axe_page, axe, "/track/{token} (rating refused)")
        page.get_by_label("4", exact=True).focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Send rating").press("Enter")
        check("the rating is thanked and shown", page.get_by_text("Thank you for your rating.").is_visible()
              and "4 out of 5" in page.locator("#rating").inner_text())
        axe_page.goto(page.url)
        axe_check(axe_page, axe, "/track/{token} (rated)")
        shot(page, "32-tracking-rated")

        outside = [u for u in requested if not u.startswith(base) and not u.startswith("http://127.0.0.1:")]
        check("no request leaves the machine", not outside, str(outside))
        _, seen = api.call("GET", f"/v1/orders/{order['id']}", courier_key)
        check("the order's API view has the rating", seen.get("rating", {}).get("stars") == 4, str(seen.get("rating")))
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
