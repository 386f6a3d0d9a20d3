"""Pages that update themselves (issue 19, live updates) in Chromium (Debian's, through
Playwright), against portal-local on a free port with a fresh data dir: a courier's person
and a client's person in two browser contexts, and a recipient on a phone in a third.

Two people chat: a message sent by one appears on the other's page within 5 seconds without
a reload (the page is the same document: a mark set in it is still there), the half-written
message in the other's box is kept, and the update is said politely (the page's status
region); the courier's conversations list counts a new message as it arrives. An order
placed through the API appears on the courier's and the client's orders pages, and a task
event posted through the API updates the client's order page and the courier's orders page,
within 5 seconds, without a reload. The recipient's tracking page shows the driver once the
dropoff starts, and the driver's marker moves (new tiles, new coordinates) as positions are
posted to `POST /v1/tasks/{taskId}/location`, within 10 seconds, and once delivered the
new status is shown and said (a position is not said: the map is a picture). Nothing the pages'
Content-Security-Policy refuses, no request leaves the machine (tiles from a local stub),
and without JavaScript the same pages work with a reload. axe on every updated view (no
serious or critical violations); screenshots go to target/screenshots/ (prefix 4x-).

Run: .venv/bin/python tests/browser/live_flow.py (after `cargo build -p portal-local
-p portal-admin`).
"""

import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from portal_flow import (ARGS, CHROMIUM, REPO, SHOTS, Api, axe_check, check, free_port, invitation_link, results, shot,
                         watch_csp)
from tracking_flow import TILE_HITS, TileStub

PASSWORD = "a long passphrase 42"


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix="portal-live-")
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TileStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    env = dict(os.environ, MAP_TILE_URL_TEMPLATE=f"http://127.0.0.1:{stub.server_port}/tiles/{{z}}/{{x}}/{{y}}.png",
               MAP_ATTRIBUTION="© Stub tiles")
    env.pop("LIVE_URL", None)
    admin = subprocess.run(
        [str(REPO / "target" / "debug" / "portal-admin"), "create-courier", "--name", "Swift Couriers",
         "--email", "dispatch@swift.example", "--data-dir", data, "--portal-url", base],
        capture_output=True, text=True, check=True, env=env)
    created = json.loads(admin.stdout)
    binary = REPO / "target" / "debug" / "portal-local"
    server = subprocess.Popen([str(binary), "--port", str(port), "--data-dir", data],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        api = Api(base)
        for _ in range(100):
            try:
                api.call("GET", "/openapi.json")
                break
            except Exception:
                time.sleep(0.1)
        run(api, base, created)
    finally:
        server.terminate()
        server.wait(timeout=10)
        stub.shutdown()
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def within(seconds, condition):
    """Whether `condition()` holds within `seconds` (polled), and how long it took."""
    started = time.monotonic()
    while True:
        try:
            if condition():
                return True, time.monotonic() - started
        except Exception:
            pass
        if time.monotonic() - started > seconds:
            return False, time.monotonic() - started
        time.sleep(0.1)


def mark(page):
    """Marks the page's document: the mark is gone if the page is loaded again."""
    page.evaluate("window.__notReloaded = true")


def not_reloaded(page):
    return page.evaluate("window.__notReloaded === true")


def said(page):
    return page.locator("#live-status").text_content() or ""


def event(api, key, task, body):
    status, answer = api.call("POST", f"/v1/tasks/{task}/events", key, body)
    assert status < 300, (status, answer)


def run(api, base, created):
    courier_key = created["apiKey"]
    _, client = api.call("POST", "/v1/clients", courier_key, {"name": "Bloom Florists", "email": "pia@bloom.example"})
    client_id = client["id"]
    api.call("POST", f"/v1/clients/{client_id}/invitation", courier_key)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        axe = Axe()
        refused = []
        requested = []

        courier = browser.new_context().new_page()
        watch_csp(courier, refused)
        courier.on("request", lambda r: requested.append(r.url))
        courier.goto(created["setPasswordLink"])
        courier.get_by_label("New password").fill(PASSWORD)
        courier.get_by_role("button", name="Set password and sign in").click()
        check("the courier's person is signed in", courier.url.endswith("/orders"), courier.url)

        client = browser.new_context().new_page()
        watch_csp(client, refused)
        client.on("request", lambda r: requested.append(r.url))
        client.goto(invitation_link(api, "pia@bloom.example"))
        client.get_by_label("Your name").fill("Pia Bloom")
        client.get_by_label("Password").fill(PASSWORD)
        client.get_by_role("button", name="Create account and sign in").click()
        check("the client's person is signed in", client.url.endswith("/orders"), client.url)

        # Two people chat, each on their page; nobody reloads.
        client.goto(f"{base}/messages")
        courier.goto(f"{base}/messages/{client_id}")
        mark(client)
        mark(courier)
        time.sleep(1)  # both WebSockets open
        client.get_by_label("Message", exact=True).fill("Half-written, not sent")
        courier.get_by_label("Message", exact=True).fill("Your van leaves at 10.")
        courier.get_by_role("button", name="Send").click()
        courier.wait_for_url(re.compile(r".*/messages/cli_[0-9A-Z]{26}#latest$"))
        ok, took = within(5, lambda: "Your van leaves at 10." in client.locator("#chat-live").inner_text())
        check("the courier's message appears on the client's page within 5 s", ok, f"{took:.1f} s")
        check("without a reload", not_reloaded(client))
        check("the client's half-written message is kept",
              client.get_by_label("Message", exact=True).input_value() == "Half-written, not sent")
        ok, _ = within(2, lambda: said(client) == "New messages.")
        check("the update is said politely", ok and client.locator("#live-status").get_attribute("role") == "status",
              said(client))
        axe_check(client, axe, "/messages (client, a message arrived live)")
        shot(client, "40-live-chat-client")

        mark(courier)
        client.get_by_label("Message", exact=True).fill("Thanks, the bell is broken: please call.")
        client.get_by_role("button", name="Send").click()
        client.wait_for_url(re.compile(r".*/messages#latest$"))
        ok, took = within(5, lambda: "the bell is broken" in courier.locator("#latest").inner_text())
        check("the client's answer appears on the courier's page within 5 s", ok, f"{took:.1f} s")
        check("without a reload either", not_reloaded(courier))
        axe_check(courier, axe, "/messages/{clientId} (a message arrived live)")
        shot(courier, "41-live-chat-courier")

        # The courier's conversations list counts a message as it arrives.
        courier.goto(f"{base}/messages")
        mark(courier)
        time.sleep(1)
        client.get_by_label("Message", exact=True).fill("And a second parcel tomorrow.")
        client.get_by_role("button", name="Send").click()
        client.wait_for_url(re.compile(r".*/messages#latest$"))
        ok, took = within(5, lambda: re.search(r"\b1\s+unread", courier.locator("#conversations-live").inner_text())
                          is not None and "second parcel" in courier.locator("#conversations-live").inner_text())
        check("the conversations list shows the new message and its unread count within 5 s", ok, f"{took:.1f} s")
        check("the list was not reloaded", not_reloaded(courier))
        axe_check(courier, axe, "/messages (courier, updated live)")

        # Orders: placed through the API, they appear on both orders pages.
        courier.goto(f"{base}/orders")
        client.goto(f"{base}/orders")
        mark(courier)
        mark(client)
        time.sleep(1)
        status, order = api.call("POST", "/v1/orders", courier_key, {
            "clientId": client_id,
            "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
            "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                        "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}})
        assert status == 201, order
        short = order["shortId"]
        ok, took = within(5, lambda: short in courier.locator("#orders-live").inner_text())
        check("a new order appears on the courier's orders page within 5 s", ok, f"{took:.1f} s")
        ok, took = within(5, lambda: short in client.locator("#orders-live").inner_text())
        check("and on the client's orders page", ok, f"{took:.1f} s")
        check("neither page was reloaded", not_reloaded(courier) and not_reloaded(client))
        ok, _ = within(2, lambda: said(courier) == "The orders list was updated.")
        check("the orders page says it was updated", ok, said(courier))
        axe_check(courier, axe, "/orders (courier, updated live)")
        shot(courier, "42-live-orders-courier")

        # A task event posted through the API: the client's order page and the courier's
        # orders page update themselves.
        client.goto(f"{base}/orders/{order['id']}")
        mark(client)
        time.sleep(1)
        pickup, dropoff = order["pickup"]["id"], order["dropoff"]["id"]
        row = courier.locator("#orders-live tbody tr", has_text=short)
        before = row.inner_text()
        driver = {"type": "assigned", "driver": {"name": "Sam Rider", "phone": "+33600000001"}}
        event(api, courier_key, pickup, driver)
        event(api, courier_key, dropoff, driver)
        event(api, courier_key, pickup, {"type": "started"})
        ok, took = within(5, lambda: "Sam Rider" in client.locator("#order-live").inner_text()
                          and "In progress" in client.locator("#order-status").inner_text())
        check("the client's order page shows the driver and the new status within 5 s", ok,
              f"{took:.1f} s {client.locator('#order-status').inner_text()}")
        check("without a reload", not_reloaded(client))
        ok, _ = within(2, lambda: said(client).startswith("This order was updated."))
        check("the order page says what changed", ok and "In progress" in said(client), said(client))
        axe_check(client, axe, "/orders/{id} (updated live)")
        shot(client, "43-live-order-client")
        ok, took = within(5, lambda: row.inner_text() != before and "In progress" in row.inner_text())
        check("the courier's orders page shows the order's new status within 5 s", ok,
              f"{took:.1f} s {row.inner_text()}")
        check("without a reload", not_reloaded(courier))

        # The recipient's tracking page, on a phone: the driver appears and moves.
        recipient = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        watch_csp(recipient, refused)
        recipient.on("request", lambda r: requested.append(r.url))
        track = order["trackingUrl"][order["trackingUrl"].index("/track/"):]
        event(api, courier_key, pickup, {"type": "completed"})
        recipient.goto(base + track)
        mark(recipient)
        time.sleep(1)
        check("no driver before the dropoff starts", recipient.locator("#driver-location").count() == 0)
        event(api, courier_key, dropoff, {"type": "started", "location": {"lat": 48.8566, "lng": 2.3522}})
        ok, took = within(10, lambda: recipient.locator("#driver-map").count() == 1)
        check("the driver's position appears once the dropoff starts, within 10 s", ok, f"{took:.1f} s")

        def drawn():
            return (recipient.locator(".coords").inner_text(),
                    [recipient.locator("#driver-map img").nth(i).get_attribute("src")
                     for i in range(recipient.locator("#driver-map img").count())])
        for lat, lng in [(48.8606, 2.3376), (48.8738, 2.2950)]:
            was = drawn()
            status, _ = api.call("POST", f"/v1/tasks/{dropoff}/location", courier_key, {"lat": lat, "lng": lng})
            assert status == 200
            ok, took = within(10, lambda: drawn()[0] == f"{lat:.5f}, {lng:.5f}")
            check(f"the marker moves to {lat}, {lng} within 10 s", ok, f"{took:.1f} s {drawn()[0]}")
            check("the map is drawn around it again", drawn()[1] != was[1], str(drawn()[1]))
        check("the tracking page was never reloaded", not_reloaded(recipient))
        check("the tiles come from the local stub", any(h.startswith("/tiles/15/") for h in TILE_HITS))
        axe_check(recipient, axe, "/track/{token} (the driver moving)")
        shot(recipient, "44-live-tracking")

        # Without JavaScript the pages are the same, and update with a reload.
        plain = browser.new_context(java_script_enabled=False).new_page()
        plain.goto(base + track)
        check("without JavaScript the tracking page shows the driver", plain.locator("#driver-map").count() == 1)
        status, _ = api.call("POST", f"/v1/tasks/{dropoff}/location", courier_key, {"lat": 48.85, "lng": 2.30})
        assert status == 200
        plain.reload()
        check("and the new position after a reload", plain.locator(".coords").inner_text() == "48.85000, 2.30000",
              plain.locator(".coords").inner_text())

        # Delivered: the status changes and is said; the driver is gone from the page.
        event(api, courier_key, dropoff, {"type": "completed"})
        ok, took = within(10, lambda: recipient.locator("#driver-location").count() == 0
                          and recipient.locator("#status").inner_text() != "On its way")
        check("once delivered the status changes and the driver is gone, within 10 s", ok,
              f"{took:.1f} s {recipient.locator('#status').inner_text()}")
        ok, _ = within(2, lambda: said(recipient) == recipient.locator("#status").inner_text())
        check("the tracking page says its new status (and not each position)", ok, said(recipient))
        check("still without a reload", not_reloaded(recipient))
        axe_check(recipient, axe, "/track/{token} (delivered, updated live)")

        check("nothing refused by the pages' Content-Security-Policy", not refused, str(refused))
        outside = [u for u in requested if not u.startswith(base) and not u.startswith("http://127.0.0.1:")
                   and not u.startswith("ws://127.0.0.1:")]
        check("no request leaves the machine", not outside, str(outside))
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
