"""The client's web portal in Chromium (Debian's, through Playwright), against portal-local
on a free port with a fresh data dir: invitation -> set a password -> the orders table ->
an order placed from the form (with a postal code) -> the courier rejects it -> the rejection on the order's
page -> the whole order corrected (a bad field shown next to it) and resubmitted -> the
courier completes it -> the proof on the page; sign-out and sign-in with the
keyboard only; an order edited and withdrawn from its page; drafts submitted in bulk (with
the keyboard) and one from its page; a spreadsheet checked (preflight) then imported; the
organization, communications and tracking-page settings round trips; a webhook endpoint
added (its secret once), a test event sent to a receiver on this machine, its log, a
replay, the endpoint turned off; a new contact email
confirmed on its page; an invitation accepted for API access only on its page; another
client's order URL answers 404; axe on every page
(no serious or critical violations). Screenshots go to target/screenshots/.

Run: .venv/bin/python tests/browser/portal_flow.py (after `cargo build -p portal-local`).
"""

import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "target" / "screenshots"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "a long passphrase 42"

results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name} {detail}")


def type_dropoff(page):
    """From the dropoff's street address, types the dropoff with the keyboard: street, (line
    2, unit), postal code, city, (state, country as prefilled), recipient name and phone;
    focus stays on the phone."""
    values = ["9 Rue de la Paix", "", "", "75002", "Paris", "", "", "Marie Curie", "+33698765432"]
    for i, value in enumerate(values):
        if i:
            page.keyboard.press("Tab")
        page.keyboard.type(value)


# What the flow is doing (an axe run, a screenshot), named in what the CSP watcher records.
doing = {"now": "the page"}


def watch_csp(page, refused):
    """Collects what the page's Content-Security-Policy refused (an inline script or style,
    an eval): the pages must need none of it."""
    page.on("console", lambda m: refused.append(f"{doing['now']}: {m.location.get('url')}: {m.text[:70]}")
            if "Content Security Policy" in m.text else None)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Api:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, key=None, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        if key:
            req.add_header("authorization", f"Bearer {key}")
        try:
            with urllib.request.urlopen(req) as r:
                text = r.read().decode()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode() or "null")


def invitation_link(api, email):
    return outbox_link(api, "invitations")


def outbox_link(api, page):
    """The last link to a page of `page` (invitations, email-confirmations) in the outbox."""
    _, outbox = api.call("GET", "/dev/outbox")
    text = json.dumps(outbox)
    links = re.findall(r"(http://[^\s\"\\]+/" + page + r"/[A-Za-z0-9_-]{43})(?=\\n|\s|\")", text)
    assert links, f"a link to /{page}/ in the outbox"
    return links[-1]


def webhook_receiver():
    """A tiny HTTP server on 127.0.0.1 answering 204; the headers of what it got."""
    import http.server

    got = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length", "0")))
            got.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return got, f"http://127.0.0.1:{server.server_address[1]}/hooks"


def axe_check(page, axe, name):
    doing["now"] = f"axe on {name}"
    result = axe.run(page)
    doing["now"] = "the page"
    bad = [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
    check(f"axe: {name} has no serious/critical violations", not bad,
          json.dumps([(v["id"], v["impact"]) for v in bad]))


def shot(page, name):
    doing["now"] = f"screenshot {name}"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    doing["now"] = "the page"


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    data = tempfile.mkdtemp(prefix="portal-browser-")
    binary = REPO / "target" / "debug" / "portal-local"
    # --no-demo: the flow starts from a courier with no clients or orders and creates its own.
    server = subprocess.Popen([str(binary), "--port", str(port), "--data-dir", data, "--no-demo"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        courier_key = None
        for line in server.stdout:
            m = re.search(r"export COURIER_KEY=(\S+)", line)
            if m:
                courier_key = m.group(1)
                break
        # The server logs every request to stdout: keep reading it, or a full pipe stalls it.
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


def run(api, base, courier_key):
    status, client = api.call("POST", "/v1/clients", courier_key,
                              {"name": "Bloom Florists", "email": "pia@bloom.example", "allowOrderUpload": True,
                               "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon"}}})
    assert status == 201, client
    client_id = client["id"]
    api.call("POST", f"/v1/clients/{client_id}/invitation", courier_key)
    link = invitation_link(api, "pia@bloom.example")
    # A second client, onboarded through the API, with an order of its own.
    _, thorn = api.call("POST", "/v1/clients", courier_key, {"name": "Thorn", "email": "ops@thorn.example"})
    api.call("POST", f"/v1/clients/{thorn['id']}/invitation", courier_key)
    thorn_link = invitation_link(api, "ops@thorn.example")
    token = thorn_link.rsplit("/", 1)[1]
    _, accepted = api.call("POST", f"/v1/invitations/{token}/accept")
    thorn_key = accepted["apiKey"]["key"]
    order_body = {"pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                  "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                              "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}}
    _, thorn_order = api.call("POST", "/v1/orders", thorn_key, order_body)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        refused = []
        watch_csp(page, refused)
        axe = Axe()

        page.goto(base + "/")
        check("/ sends a signed-out visitor to /login", page.url.endswith("/login"), page.url)
        axe_check(page, axe, "/login")
        shot(page, "01-login")

        page.goto(link)
        check("the invitation page shows the form", page.get_by_label("Your name").is_visible())
        check("the invitation page names the courier that invites and the client invited",
              page.get_by_role("heading", level=1).inner_text() == "Demo Courier invites Bloom Florists"
              and page.locator("header .brand").inner_text() == "Demo Courier",
              page.get_by_role("heading", level=1).inner_text())
        axe_check(page, axe, "/invitations/{token}")
        shot(page, "02-invitation")
        page.goto(link)  # reading twice never uses the token
        page.get_by_label("Your name").fill("Pia Bloom")
        page.get_by_label("Password").fill("short")
        page.get_by_role("button", name="Create account and sign in").click()
        check("a short password is refused next to its field",
              "at least 12 characters" in page.locator("#password-error").inner_text())
        axe_check(page, axe, "/invitations/{token} with errors")
        shot(page, "03-invitation-errors")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account and sign in").click()
        check("accepting signs in and opens the orders", page.url.endswith("/orders"), page.url)
        check("the empty state is shown", page.get_by_text("No orders yet").is_visible())
        axe_check(page, axe, "/orders (empty)")
        shot(page, "04-orders-empty")
        cookies = page.context.cookies()
        session = [c for c in cookies if c["name"] == "__Host-session"]
        check("the session cookie is HttpOnly, Secure, SameSite=Lax",
              session and session[0]["httpOnly"] and session[0]["secure"] and session[0]["sameSite"] == "Lax",
              str(session))

        # The client places an order through the form, with the keyboard only.
        page.goto(base + "/orders/new")
        check("the default pickup is prefilled", page.locator("#pickup_line1").input_value() == "1 Market St")
        axe_check(page, axe, "/orders/new")
        shot(page, "05-new-order")
        page.get_by_role("button", name="Place order").click()
        check("a missing dropoff address is shown next to its field",
              "is required" in page.locator("#dropoff_line1-error").inner_text())
        axe_check(page, axe, "/orders/new with errors")
        for _ in range(60):
            if page.evaluate("document.activeElement.id") == "dropoff_line1":
                break
            page.keyboard.press("Tab")
        check("Tab reaches the dropoff address", page.evaluate("document.activeElement.id") == "dropoff_line1")
        type_dropoff(page)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/orders/ord_[0-9A-Z]{26}$"))
        order_id = page.url.rsplit("/", 1)[1]
        check("the order placed from the keyboard opens its page", "Placed" in page.locator("#order-status").inner_text())
        shot(page, "06-order-placed")
        _, order = api.call("GET", f"/v1/orders/{order_id}", courier_key)
        check("the postal code typed reaches the order",
              order["dropoff"]["address"].get("postalCode") == "75002", str(order["dropoff"]["address"]))
        body = dict(order_body, clientId=client_id)

        # Chat: "Ask about this order" from its page, a message typed and sent with the
        # keyboard (no script needed: a form post, the reload shows it), refused when empty;
        # the courier answers through the API and the navigation counts it as unread.
        page.goto(base + f"/orders/{order_id}")
        page.get_by_role("link", name="Ask about this order").click()
        page.wait_for_url(re.compile(r".*/messages\?orderId=ord_.*"))
        check("asking about an order pre-fills it", order["shortId"] in page.locator("#order-note").inner_text())
        axe_check(page, axe, "/messages (empty, about an order)")
        page.get_by_role("button", name="Send").click()
        check("an empty message is not sent (the browser asks for one; the server refuses it too)",
              page.evaluate("!document.querySelector('#text').checkValidity()")
              and "/messages?orderId=" in page.url, page.url)
        page.get_by_label("Message", exact=True).focus()
        page.keyboard.type("Can it come <before> noon?")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/messages#latest$"))
        check("the message is shown, escaped", "Can it come <before> noon?" in page.locator("#latest .text").inner_text())
        check("the message links its order", order["shortId"] in page.locator("#latest").inner_text())
        axe_check(page, axe, "/messages")
        shot(page, "06b-messages")
        api.call("POST", "/v1/chat/messages", courier_key, {"clientId": client_id, "text": "Yes, by 11:30."})
        page.goto(base + "/orders")
        check("the navigation counts the unread answer",
              "1" in page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Messages")).inner_text())
        page.get_by_role("link", name=re.compile("Messages")).click()
        check("the answer is shown", "Yes, by 11:30." in page.locator("#latest").inner_text())

        # The courier rejects it.
        api.call("POST", f"/v1/orders/{order_id}/reject", courier_key,
                 {"reason": "We do not deliver to Paris on Sundays"})
        page.goto(base + "/orders")
        row = page.locator("tbody tr").first
        check("the order is in the table", order["shortId"] in row.inner_text())
        check("a rejected order shows red", "rejected" in row.locator(".status").get_attribute("class"))
        axe_check(page, axe, "/orders")
        shot(page, "07-orders")
        # On a phone (390 px wide) each order is a card: nothing scrolls sideways.
        page.set_viewport_size({"width": 390, "height": 844})
        sideways = page.evaluate("""() => document.documentElement.scrollWidth > window.innerWidth + 1
            || [...document.querySelectorAll('.table-wrap')].some(w => w.scrollWidth > w.clientWidth + 1)""")
        check("on a phone the orders list fits the screen", not sideways)
        axe_check(page, axe, "/orders on a phone")
        shot(page, "07a-orders-phone")
        page.set_viewport_size({"width": 1280, "height": 720})
        page.get_by_role("link", name=order["shortId"]).click()
        check("the order page shows the rejection reason",
              "We do not deliver to Paris on Sundays" in page.get_by_role("alert").inner_text())
        axe_check(page, axe, "/orders/{orderId} (rejected)")
        shot(page, "08-order-rejected")
        # Save and resubmit: the whole order on its page; a bad country is shown next to
        # its field, then the dropoff (and the pickup's unit) corrected.
        resubmit_form = page.locator("form[action$='/resubmit']")
        check("the resubmit form has the pickup as well as the dropoff",
              resubmit_form.get_by_role("group", name="Pickup", exact=True).count() == 1
              and resubmit_form.get_by_role("group", name="Dropoff", exact=True).count() == 1)
        dropoff_group = resubmit_form.get_by_role("group", name="Dropoff", exact=True)
        dropoff_group.get_by_label("Street address").fill("2 Quai Claude Bernard")
        dropoff_group.get_by_label("City").fill("Lyon")
        dropoff_group.get_by_label("Postal code").fill("69007")
        dropoff_group.get_by_label("Country").fill("F1")
        page.get_by_role("button", name="Save and resubmit").click()
        expect(page.locator("#edit_dropoff_country-error")).to_be_visible()
        check("a bad country is refused next to its field, the order still rejected",
              "two-letter" in page.locator("#edit_dropoff_country-error").inner_text()
              and "Rejected" in page.locator("#order-status").inner_text())
        axe_check(page, axe, "/orders/{orderId} resubmit with errors")
        shot(page, "08b-resubmit-errors")
        page.locator("#edit_dropoff_country").fill("FR")
        page.get_by_role("group", name="Pickup", exact=True).get_by_label("Unit or floor").fill("Dock 3")
        page.get_by_role("button", name="Save and resubmit").click()
        check("Save and resubmit places the order again",
              "Placed" in page.locator("#order-status").inner_text(), page.url)
        check("the corrected dropoff is shown", "2 Quai Claude Bernard, Lyon, 69007, FR" in page.locator("section.card").nth(1).inner_text(),
              page.locator("section.card").nth(1).inner_text())
        check("the corrected pickup is shown", "Dock 3" in page.locator("section.card").nth(0).inner_text())

        # Filters: status and search, applied together.
        page.goto(base + "/orders?status=completed")
        check("a status filter with no match shows its empty state",
              page.get_by_text("No order matches these filters").is_visible())
        # Several statuses by their check boxes, no JavaScript needed; then the Active preset.
        page.goto(base + "/orders")
        page.get_by_label("Rejected").check()
        page.get_by_label("Placed").check()
        page.get_by_role("button", name="Apply").click()
        check("several statuses at once", order["shortId"] in page.locator("table").inner_text()
              and "status=rejected" in page.url and "status=placed" in page.url, page.url)
        page.get_by_role("link", name="Active", exact=True).click()
        check("the Active preset", page.get_by_label("Scheduled").is_checked()
              and page.get_by_label("In progress").is_checked()
              and order["shortId"] in page.locator("table").inner_text(), page.url)
        axe_check(page, axe, "/orders (Active)")
        # The creation range, server-side: today finds the order, a day long past does not.
        today = datetime.date.today()
        around = (today - datetime.timedelta(days=1), today + datetime.timedelta(days=1))
        page.goto(base + f"/orders?from={around[0].isoformat()}&to={around[1].isoformat()}")
        check("the date range finds today's order", order["shortId"] in page.locator("table").inner_text())
        page.goto(base + "/orders?from=2020-01-01&to=2020-01-02")
        check("a range with no order", page.get_by_text("No order matches these filters").is_visible())

        # A second order for the client, which the courier's dispatch completes with a proof.
        status, order2 = api.call("POST", "/v1/orders", courier_key, dict(body, notes="Second"))
        pickup, dropoff = order2["pickup"]["id"], order2["dropoff"]["id"]
        for task, event in [
            (pickup, {"type": "assigned", "driver": {"name": "Sam Rider"}}),
            (dropoff, {"type": "assigned", "driver": {"name": "Sam Rider"}}),
            (pickup, {"type": "started"}), (pickup, {"type": "completed"}),
            (dropoff, {"type": "started"}),
            (dropoff, {"type": "completed", "proof": {"photos": ["https://cdn.example/door.jpg"],
                                                      "signature": "M. Curie", "notes": "Left with concierge"}}),
        ]:
            status, answer = api.call("POST", f"/v1/tasks/{task}/events", courier_key, event)
            assert status < 300, (status, answer)
        page.goto(base + f"/orders/{order2['id']}")
        check("a completed order shows green", "completed" in page.locator("#order-status").get_attribute("class"))
        check("the proof of delivery is shown", "Left with concierge" in page.locator("section.proof").inner_text())
        timeline = page.locator("ol.timeline").inner_text()
        check("the timeline speaks in words", "Driver assigned to the pickup" in timeline
              and "Dropoff completed" in timeline and "pickup_assigned" not in timeline, timeline)
        check("task states read as words", "Completed" in page.locator("section.card").first.inner_text())
        axe_check(page, axe, "/orders/{orderId} (completed)")
        shot(page, "09-order-completed")

        # Static assets: htmx (2.x) loaded from the versioned path, under the JS budget.
        check("htmx 2 is loaded", page.evaluate("window.htmx ? htmx.version : ''").startswith("2."))
        js = page.evaluate("performance.getEntriesByType('resource').filter(e => e.initiatorType === 'script')"
                           ".reduce((n, e) => n + e.decodedBodySize, 0)")
        check("the page ships less than 100 KB of JavaScript", 0 < js < 100 * 1024, str(js))

        # An order placed, edited from its page (prefilled, at the version shown), then withdrawn.
        _, order3 = api.call("POST", "/v1/orders", courier_key, dict(body, notes="Third"))
        page.goto(base + f"/orders/{order3['id']}")
        page.locator("#edit-order summary").focus()
        page.keyboard.press("Enter")
        check("the edit form is prefilled", page.locator("#edit_dropoff_line1").input_value() == "9 Rue de la Paix")
        axe_check(page, axe, "/orders/{orderId} (placed: edit and withdraw)")
        shot(page, "10-order-edit")
        page.locator("#edit_recipient_phone").fill("12")
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator("#edit_recipient_phone-error")).to_be_visible()
        check("a bad phone is refused next to its field", "Recipient phone" in page.locator("#edit_recipient_phone-error").inner_text())
        axe_check(page, axe, "/orders/{orderId} edit with errors")
        page.locator("#edit_recipient_phone").fill("+33698765432")
        page.locator("#edit_notes").fill("Fragile: flowers")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_text("Fragile: flowers", exact=True)).to_be_visible()
        check("the edit is saved", True)
        page.get_by_role("button", name="Withdraw order").click()
        expect(page.locator("#order-status")).to_have_text("Withdrawn")
        check("the order is withdrawn from its page", page.locator("#order-status").inner_text() == "Withdrawn")
        check("a withdrawn order offers no edit", page.locator("#edit-order").count() == 0)

        # Drafts: three saved for the client; two submitted in bulk, the third from its page.
        drafts = []
        for name in ["Ada Lovelace", "Bob Stone", "Cy Young"]:
            dropoff = {"address": {"line1": "3 Rue du Bac", "city": "Paris"}, "recipient": {"name": name}}
            status, draft = api.call("POST", "/v1/orders", courier_key, dict(body, draft=True, dropoff=dropoff))
            assert status == 201, draft
            drafts.append(draft)
        page.goto(base + "/drafts")
        for d in drafts:
            check(f"draft {d['shortId']} is listed", page.get_by_role("link", name=d["shortId"]).is_visible())
        axe_check(page, axe, "/drafts")
        shot(page, "11-drafts")
        # With the keyboard: Space checks a box.
        for d in drafts[:2]:
            page.get_by_label(f"Select draft {d['shortId']}").focus()
            page.keyboard.press("Space")
        page.get_by_role("button", name="Submit for delivery").click()
        expect(page.locator("#results")).to_be_visible()
        check("two drafts are submitted in bulk", "Submitted 2 of 2" in page.locator("#results").inner_text(),
              page.locator("#results").inner_text())
        check("the submitted drafts leave the list", page.locator("tbody tr").count() == 1)
        axe_check(page, axe, "/drafts with results")
        shot(page, "12-drafts-submitted")
        page.get_by_role("link", name=drafts[2]["shortId"]).first.click()
        page.wait_for_url(re.compile(r".*/orders/ord_.*"))
        page.get_by_role("button", name="Submit for delivery").click()
        expect(page.locator("#order-status")).to_have_text("Placed")
        check("a draft is submitted from its page", page.locator("#order-status").inner_text() == "Placed")
        _, thorn_draft = api.call("POST", "/v1/orders", thorn_key, dict(order_body, draft=True))
        response = page.request.post(base + f"/orders/{thorn_draft['id']}/finalize", headers={"origin": base})
        check("another client's draft answers 404", response.status == 404, str(response.status))

        # Import: the file checked (preflight table), then imported.
        page.goto(base + "/imports")
        check("imports: the empty state is shown", page.get_by_text("No imports yet").is_visible())
        axe_check(page, axe, "/imports (empty)")
        # The example sheets and the column glossary, from the imports page.
        with page.expect_download() as csv_download:
            page.get_by_role("link", name="Download an example (CSV)").click()
        csv_file = Path(csv_download.value.path()).read_text()
        check("the example CSV downloads with every column's header",
              csv_download.value.suggested_filename == "example-orders.csv"
              and csv_file.startswith("Id,Recipient Name,") and "Earliest Time" in csv_file, csv_file[:200])
        with page.expect_download() as xlsx_download:
            page.get_by_role("link", name="Download an example (Excel)").click()
        check("the example workbook downloads",
              xlsx_download.value.suggested_filename == "example-orders.xlsx"
              and Path(xlsx_download.value.path()).read_bytes()[:2] == b"PK")
        page.get_by_role("link", name="What each column means").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/imports/columns$"))
        glossary = page.locator("main").inner_text()
        check("the glossary says what each column means and which are required",
              page.get_by_role("heading", level=1).inner_text() == "What each column means"
              and page.get_by_role("heading", name="Address Line 1").is_visible()
              and page.get_by_role("heading", name="Client ID").is_visible()
              and "Required with a phone or email" in glossary, glossary[:300])
        axe_check(page, axe, "/imports/columns")
        shot(page, "12b-import-columns")
        page.get_by_role("link", name="Back to Imports").click()
        page.wait_for_url(re.compile(r".*/imports$"))
        sheet = Path(tempfile.mkdtemp(prefix="portal-sheet-")) / "orders.csv"
        sheet.write_text("Address Line 1,City,Recipient Name,Recipient Phone Number,Id\n"
                         "2 Quai Claude Bernard,Lyon,Irene Joliot,+33698765432,B-1\n"
                         "3 Rue du Bac,Paris,Paul Langevin,555-01,B-2\n")
        page.locator("#file").set_input_files(str(sheet))
        page.get_by_role("button", name="Check the file").click()
        expect(page.locator("#preflight")).to_be_visible()
        issues = page.locator("#preflight table").inner_text()
        check("the preflight shows the row error by row and column",
              "Recipient Phone Number" in issues and "555-01" in issues, issues)
        _, waiting = api.call("GET", f"/v1/orders?status=draft&clientId={client_id}", courier_key)
        check("nothing is imported before the commit", waiting["items"] == [], str(waiting))
        axe_check(page, axe, "/imports (preflight)")
        shot(page, "13-import-preflight")
        page.get_by_role("button", name="Import 1 row as drafts").click()
        expect(page.locator("#import-report")).to_be_visible()
        check("the import's report is shown", "1 new draft" in page.locator("#import-report").inner_text())
        check("the past imports list it", page.locator("section[aria-labelledby=past-title] tbody tr").count() == 1)
        axe_check(page, axe, "/imports (report)")
        shot(page, "14-import-done")
        page.goto(base + "/drafts")
        check("the imported row is a draft", page.get_by_text("Irene Joliot").is_visible())

        # Settings: organization round trip, errors next to the field.
        page.goto(base + "/settings/organization")
        axe_check(page, axe, "/settings/organization")
        page.get_by_label("Phone").fill("12")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#phone-error")).to_be_visible()
        check("a bad phone is shown next to its field", page.locator("#phone-error").is_visible())
        axe_check(page, axe, "/settings/organization with errors")
        shot(page, "15-settings-errors")
        page.get_by_label("Phone").fill("+33612345678")
        page.get_by_label("Country").fill("FR")
        page.get_by_label("Time zone").fill("Europe/Paris")
        page.get_by_label("Units").select_option("imperial")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#saved")).to_be_visible()
        page.reload()
        check("the settings are saved", page.get_by_label("Time zone").input_value() == "Europe/Paris"
              and page.get_by_label("Units").input_value() == "imperial")
        shot(page, "16-settings")

        # A new contact email, confirmed on its page: reading it changes nothing, Confirm does.
        status, _ = api.call("PATCH", f"/v1/clients/{client_id}", courier_key, {"email": "hello@bloom.example"})
        check("the courier changes the client's contact email", status == 200, str(status))
        confirm = outbox_link(api, "email-confirmations")
        page.goto(confirm)
        check("the confirmation page shows the new address and a Confirm button",
              page.locator("#new-email").inner_text() == "hello@bloom.example"
              and page.get_by_role("button", name="Confirm").is_visible())
        axe_check(page, axe, "/email-confirmations/{token}")
        shot(page, "16b-email-confirmation")
        page.get_by_role("button", name="Confirm").click()
        check("confirming says so", page.get_by_role("heading", name="Email address confirmed").is_visible())
        page.goto(confirm)
        check("a used link says so in words", page.get_by_text("already been used").is_visible())

        # An invitation accepted for API access only, on its page: the key shown once.
        _, petals = api.call("POST", "/v1/clients", courier_key, {"name": "Petals", "email": "ops@petals.example"})
        api.call("POST", f"/v1/clients/{petals['id']}/invitation", courier_key)
        page.goto(invitation_link(api, "ops@petals.example"))
        page.get_by_role("button", name="Accept for API access only").click()
        key = page.locator("#api-key").inner_text()
        check("API-only acceptance shows the key", key.startswith("client_sk_"), key)
        axe_check(page, axe, "the invitation's API key")
        status, _ = api.call("GET", "/v1/api-keys", key)
        check("the key shown works", status == 200, str(status))
        page.goto(base + "/settings/organization")

        # API & integrations: a key created (its secret shown once) and revoked; an integration added.
        page.get_by_role("link", name="API & integrations").click()
        page.wait_for_url("**/settings/api")
        axe_check(page, axe, "/settings/api")
        page.get_by_label("Label").fill("Shop")
        page.get_by_role("button", name="Create API key").click()
        expect(page.locator("#secret-value")).to_be_visible()
        key = page.locator("#secret-value").inner_text().strip()
        check("a new key's secret is shown", key.startswith("client_sk_"), key)
        check("the new key works on the API", api.call("GET", "/v1/orders", key)[0] == 200)
        axe_check(page, axe, "/settings/api (new key)")
        shot(page, "16b-api-key")
        page.goto(base + "/settings/api")
        check("the secret is not shown again", key not in page.content())
        page.get_by_role("button", name=re.compile("Revoke key")).click()
        expect(page.get_by_text("Revoked", exact=False)).to_be_visible()
        check("a revoked key stops working", api.call("GET", "/v1/orders", key)[0] == 401)
        page.get_by_label("Platform").select_option("generic")
        page.get_by_label("Name").fill("ERP")
        page.get_by_role("button", name="Add integration").click()
        expect(page.locator("#webhook-url")).to_be_visible()
        check("the integration's webhook URL is shown", page.locator("#webhook-url").inner_text().endswith("/webhook"))
        page.get_by_role("link", name=re.compile("Inbox")).click()
        expect(page.locator("#inbox")).to_be_visible()
        check("the empty inbox says so", "No webhook received yet" in page.locator("#inbox").inner_text())
        axe_check(page, axe, "/settings/api (inbox)")
        shot(page, "16c-integrations")

        # Webhook endpoints: one added for a receiver on this machine (the local portal allows
        # private addresses), its secret shown once; Send test event answers in words and the
        # delivery log reads in local time; a delivery sent again; the endpoint turned off.
        receiver, hook_url = webhook_receiver()
        page.get_by_label("Address (https://…)").fill(hook_url)
        page.get_by_label("A pickup or drop-off is done").check()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.locator("#secret-value")).to_be_visible()
        hook_secret = page.locator("#secret-value").inner_text().strip()
        check("a new webhook endpoint's secret is shown once", hook_secret.startswith("whsec_"), hook_secret)
        axe_check(page, axe, "/settings/api (new webhook endpoint)")
        page.get_by_role("button", name=re.compile("Send test event")).click()
        expect(page.locator("#webhook-notice")).to_contain_text("Test event sent")
        expect(page.locator("#webhook-log")).to_be_visible()
        check("the test event reached the receiver, signed",
              any(r.get("webhook-signature", "").startswith("v1,") for r in receiver))
        check("the log says what happened in words",
              "your endpoint answered 204" in page.locator("#webhook-log").inner_text())
        check("the secret is not shown again", hook_secret not in page.content())
        axe_check(page, axe, "/settings/api (webhook log)")
        shot(page, "16e-webhooks")
        page.get_by_role("button", name=re.compile("Send again")).first.click()
        page.wait_for_url(re.compile(r".*/settings/api\?webhook=.*"))
        # Due now: the local schedule (every minute) may have sent it already.
        expect(page.locator("#webhook-log")).to_contain_text(re.compile("Will try again|Delivered"))
        page.get_by_role("button", name=re.compile("Turn off")).click()
        expect(page.locator("#webhooks")).to_contain_text("Off")

        # Communications: each template previewed and counted on the server, live as one
        # types (htmx), an error next to its field, a round trip.
        page.get_by_role("link", name="Communications").click()
        page.wait_for_url("**/settings/communications")
        axe_check(page, axe, "/settings/communications")
        # The defaults send two messages per delivery (on its way; delivered or failed):
        # those are previewed with their segments, the others say they are off.
        check("each template on is previewed with its segment count, one off says so",
              page.locator(".sms-count .segments").count() >= 2
              and "Not sent: off" in page.locator("#t-dropoff-delayed-live").inner_text())
        delayed = page.get_by_label("Dropoff: running late")
        delayed.fill("Late: {orderShortId} " + "x" * 160)
        expect(page.locator("#t-dropoff-delayed-live .segments")).to_have_text("2 SMS segments")
        check("the preview follows what is typed", "Late: 7KQ4MZ2P" in page.locator("#t-dropoff-delayed-live").inner_text())
        shot(page, "16d-communications-preview")
        page.locator(".sms-template", has=page.locator("#t-dropoff-delayed")).screenshot(
            path=str(SHOTS / "16d2-sms-template.png"))
        delayed.fill("Late {firstName}")
        expect(page.locator("#t-dropoff-delayed-live .error")).to_be_visible()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#t-dropoff-delayed-error")).to_be_visible()
        check("an unknown variable is shown next to its template", "{firstName}" in page.locator("#t-dropoff-delayed-error").inner_text())
        axe_check(page, axe, "/settings/communications with errors")
        page.get_by_label("Dropoff: running late").fill("Running late: {orderShortId}, new ETA {eta}.")
        page.get_by_label("Language").select_option("fr")
        page.get_by_label("List drafts waiting for at least (hours)").fill("36")
        page.get_by_role("button", name="Preview", exact=True).click()
        expect(page.locator("#previewed")).to_be_visible()
        check("Preview renders without saving", "Running late: 7KQ4MZ2P, new ETA 15:45." in page.locator("#t-dropoff-delayed-live").inner_text())
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#saved")).to_be_visible()
        page.reload()
        check("the communications settings are saved",
              page.get_by_label("Language").input_value() == "fr"
              and page.get_by_label("List drafts waiting for at least (hours)").input_value() == "36"
              and page.get_by_label("Dropoff: running late").input_value() == "Running late: {orderShortId}, new ETA {eta}.")
        shot(page, "16e-communications")

        # Tracking page: colours, logo, details shown, with the page itself as the preview.
        page.get_by_role("link", name="Tracking page").click()
        page.wait_for_url("**/settings/tracking-page")
        axe_check(page, axe, "/settings/tracking-page")
        page.get_by_label("Header colour", exact=True).fill("#b91c1c")
        expect(page.locator("#preview-on-the-way")).to_have_attribute("srcdoc", re.compile("--primary: #b91c1c;"))
        check("the preview follows what is typed", "#b91c1c" in page.locator("#preview-delivered").get_attribute("srcdoc"))
        page.get_by_label("Logo URL").fill("http://cdn.example/logo.png")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#logoUrl-error")).to_be_visible()
        check("a bad logo URL is shown next to its field", page.locator("#logoUrl-error").is_visible())
        axe_check(page, axe, "/settings/tracking-page with errors")
        page.get_by_label("Logo URL").fill("")
        page.get_by_label("The driver's first name").uncheck()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#saved")).to_be_visible()
        page.reload()
        check("the tracking page settings are saved",
              page.get_by_label("Header colour", exact=True).input_value() == "#b91c1c"
              and not page.get_by_label("The driver's first name").is_checked())
        check("the saved preview shows the new colour and no driver",
              "#b91c1c" in page.locator("#preview-on-the-way").get_attribute("srcdoc")
              and page.frame_locator("#preview-on-the-way").locator("#driver").count() == 0
              and page.frame_locator("#preview-on-the-way").locator("#eta").count() == 1)
        shot(page, "16f-tracking-page")
        # The sandboxed preview frames render out of process: a full-page shot leaves them
        # blank below the fold, so the preview gets its own shot, scrolled into view.
        previews = page.locator("#tracking-previews")
        previews.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        previews.screenshot(path=str(SHOTS / "16g-tracking-page-preview.png"))

        # The order form's window, requirements and services with quotes (issue 11), keyboard
        # first; the client's logo in the header; the orders table's Courier column.
        _, service = api.call("POST", "/v1/services", courier_key,
                              {"name": "Same day", "sla": {"kind": "same_day", "hours": 4},
                               "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                                "from": "00:00", "to": "23:59"}})
        _, rates = api.call("POST", "/v1/rate-tables", courier_key,
                            {"name": "Flat", "currency": "EUR", "base": {"method": "flat", "amount": 2500}})
        given, _ = api.call("PUT", f"/v1/clients/{client_id}/services", courier_key,
                            {"services": [{"serviceId": service["id"], "rateTableId": rates["id"]}]})
        check("the client is given a service", given == 200, str(given))
        page.goto(base + "/settings/organization")
        page.get_by_label("Logo URL").fill("https://cdn.example/bloom.png")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#saved")).to_be_visible()
        page.goto(base + "/orders/new")
        logo = page.locator("header .brand img")
        check("the header shows the client's logo, its name as alt text",
              logo.count() == 1 and logo.get_attribute("alt") == "Bloom Florists")
        check("the form offers the client's services", page.get_by_label("Same day").count() == 1)
        check("the window is read in the client's time zone", "Europe/Paris" in page.locator("#window-hint").inner_text())
        for _ in range(60):
            if page.evaluate("document.activeElement.id") == "dropoff_line1":
                break
            page.keyboard.press("Tab")
        type_dropoff(page)
        page.locator("#dropoff_after").fill("2030-12-02T14:00")
        page.locator("#dropoff_before").fill("2030-12-02T16:00")
        page.locator("#dropoff_before").focus()
        page.keyboard.press("Tab")  # leaving the field: htmx asks for quotes
        expect(page.locator("#services")).to_contain_text("25.00 EUR", timeout=5000)
        check("quotes appear live (htmx) when the form changes", "25.00 EUR" in page.locator("#services").inner_text())
        page.locator("#require_signature").focus()
        page.keyboard.press("Space")
        page.locator("#require_photo").focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Get quotes").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")  # a plain form post: the same form again, with the quotes
        expect(page.locator("#services")).to_contain_text("complete by")
        check("Get quotes keeps what was typed", page.locator("#dropoff_before").input_value() == "2030-12-02T16:00"
              and page.locator("#require_signature").is_checked())
        page.locator("#service-any").focus()
        page.keyboard.press("ArrowDown")
        check("a service is chosen with the arrow keys", page.locator("#service-1").is_checked())
        axe_check(page, axe, "/orders/new (quotes)")
        shot(page, "17a-new-order-quotes")
        page.locator("#dropoff_after").fill("2030-12-02T17:00")
        page.get_by_role("button", name="Place order").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("#dropoff_before-error")).to_be_visible()
        check("a window that ends before it starts is shown next to its field",
              "later than" in page.locator("#dropoff_before-error").inner_text())
        axe_check(page, axe, "/orders/new (window error)")
        page.locator("#dropoff_after").fill("2030-12-02T14:00")
        page.get_by_role("button", name="Place order").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/orders/ord_[0-9A-Z]{26}$"))
        _, placed = api.call("GET", "/v1/orders/" + page.url.rsplit("/", 1)[1], courier_key)
        check("the window reaches the order, in the client's zone",
              placed["dropoff"].get("window", {}).get("completeAfter") == "2030-12-02T14:00:00+01:00", str(placed.get("dropoff")))
        requirements = placed["dropoff"].get("requirements", {})
        check("the requirements reach the order", requirements.get("signature") and requirements.get("photo"), str(requirements))
        check("the chosen service is the order's quote", (placed.get("quote") or {}).get("serviceId") == service["id"],
              str(placed.get("quote")))
        page.goto(base + "/orders")
        check("the orders table has a Courier column", page.get_by_role("columnheader", name="Courier").count() == 1)
        axe_check(page, axe, "/orders (courier column, logo)")
        shot(page, "17b-orders-courier")

        # Another client's order: 404, nothing of it shown.
        response = page.goto(base + f"/orders/{thorn_order['id']}")
        check("another client's order answers 404", response.status == 404, str(response.status))
        check("nothing of it is shown", "Marie Curie" not in page.content())
        axe_check(page, axe, "404")

        # Sign out: the old cookie no longer works, even sent again by hand.
        page.goto(base + "/orders")
        page.get_by_role("button", name="Sign out").click()
        check("signing out lands on /login", "/login" in page.url, page.url)
        page.context.add_cookies(session)
        page.goto(base + "/orders")
        check("the old session cookie is refused after sign-out", page.url.endswith("/login"), page.url)

        # Keyboard only: sign in with Tab and Enter.
        page.goto(base + "/login")
        page.keyboard.press("Tab")  # skip link
        page.keyboard.press("Tab")  # brand
        page.keyboard.press("Tab")
        page.keyboard.type("pia@bloom.example")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/orders")
        check("signing in with the keyboard only works", page.url.endswith("/orders"), page.url)
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        check("the first Tab reaches the skip link", "Skip to content" in focused, focused)
        shot(page, "17-signed-in-again")
        check("no page broke its Content-Security-Policy", not refused, refused)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
