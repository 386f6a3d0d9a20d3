"""The courier's console in Chromium (Debian's, through Playwright), against portal-local on
a free port with a fresh data dir, a courier's person and a client's person in two browser
contexts:

the courier (made by `portal-admin create-courier`) sets its password from the link and
lands on its orders; Settings -> Teams: a team; Services & rates: a postcode-area service
(a bad field refused next to it) and a rate table; Clients -> New client: a bad email refused
next to its field, then the client with its depot and the team, given the service and rate
table on its page, and invited; the client accepts in a second context, places an order with
a postal code and sees the service's quote; the courier sees the order with the client's name,
filters by client, rejects it (a confirmation step, an empty reason refused next to its
field) and the client is emailed; the client corrects and resubmits it; the courier records
its progress by hand (driver and team assigned, started, ETA, arrived, completed with proof)
on both tasks; the client sees the proof and a timeline in words; the courier exports a CSV
of the filtered view with the client's name; the client's person finds no courier page
(404). axe on every page (no serious or critical violations); screenshots go to
target/screenshots/ (prefix 3x-).

Run: .venv/bin/python tests/browser/console_flow.py (after `cargo build -p portal-local
-p portal-admin`).
"""

import json
import re
import subprocess
import sys
import tempfile
import time

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from portal_flow import (ARGS, CHROMIUM, REPO, SHOTS, Api, axe_check, check, free_port, invitation_link, results, shot,
                         type_dropoff, watch_csp)

PASSWORD = "a long passphrase 42"


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix="portal-console-")
    admin = subprocess.run(
        [str(REPO / "target" / "debug" / "portal-admin"), "create-courier", "--name", "Swift Couriers",
         "--email", "dispatch@swift.example", "--data-dir", data, "--portal-url", base],
        capture_output=True, text=True, check=True)
    created = json.loads(admin.stdout)
    binary = REPO / "target" / "debug" / "portal-local"
    server = subprocess.Popen([str(binary), "--port", str(port), "--data-dir", data],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
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
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def mails_to(api, email):
    """The outbox's emails to `email`."""
    _, outbox = api.call("GET", "/dev/outbox")
    return [m for m in outbox["items"] if email in json.dumps(m) and "subject" in json.dumps(m)]


def run(api, base, created):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        axe = Axe()
        refused = []

        # The courier's person: the set-password link, then its console.
        courier = browser.new_context(accept_downloads=True).new_page()
        watch_csp(courier, refused)
        courier.goto(created["setPasswordLink"])
        courier.get_by_label("New password").fill(PASSWORD)
        courier.get_by_role("button", name="Set password and sign in").click()
        check("the courier's person lands on the orders", courier.url.endswith("/orders"), courier.url)
        nav = courier.get_by_role("navigation", name="Main")
        check("the console's navigation: Orders, Clients, Services & rates, Imports, Messages, Settings, Your account",
              [a.strip() for a in nav.get_by_role("link").all_inner_texts()]
              == ["Orders", "Clients", "Services & rates", "Imports", "Messages", "Settings", "Your account"],
              str(nav.get_by_role("link").all_inner_texts()))
        check("the header names the courier", "Swift Couriers" in courier.locator("header .brand").inner_text())
        check("a courier is offered no client-only action",
              courier.get_by_role("link", name="New order").count() == 0
              and courier.get_by_role("link", name="Drafts").count() == 0)
        axe_check(courier, axe, "/orders (courier, empty)")
        shot(courier, "30-console-orders-empty")

        # A team to auto-assign the client's orders to.
        courier.goto(f"{base}/settings/teams")
        courier.get_by_label("Name", exact=True).fill("North")
        courier.get_by_role("button", name="Create team").click()
        check("the team is created", courier.get_by_text("Team created.").is_visible())

        # Services & rates: a service for Paris postcodes, a rate table.
        nav = courier.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Services & rates").click()
        check("Services & rates opens from the menu", courier.url.endswith("/services"), courier.url)
        axe_check(courier, axe, "/services (empty)")
        courier.get_by_role("link", name="New service").click()
        courier.locator("#name").fill("Paris next day")
        courier.locator("#slaKind").select_option("next_day")
        courier.locator("#slaBy").fill("18:00")
        for day in ["Saturday", "Sunday"]:
            courier.get_by_role("checkbox", name=day).check()
        courier.locator("#from").fill("00:00")
        courier.locator("#to").fill("23:59")
        courier.get_by_role("radio", name="Postal codes").check()
        courier.locator("#postalCodePrefixes").fill("")
        courier.get_by_role("button", name="Create service").click()
        check("a postcode area without postcodes is refused next to its field",
              courier.locator("#postalCodePrefixes-error").is_visible())
        axe_check(courier, axe, "/services (a field refused)")
        shot(courier, "31-console-service-error")
        courier.locator("#postalCodePrefixes").fill("75")
        courier.get_by_role("button", name="Create service").click()
        check("the service is created", "done=service-created" in courier.url
              and courier.locator("#services-notice").is_visible(), courier.url)
        courier.get_by_role("link", name="Paris next day").first.click()
        check("the service's page opens from the list", "/services/svc_" in courier.url, courier.url)
        axe_check(courier, axe, "/services/{id}")
        courier.goto(f"{base}/rate-tables/new")
        courier.locator("#name").fill("Standard")
        courier.locator("#currency").fill("EUR")
        courier.locator("#baseAmount").fill("12.50")
        courier.get_by_role("button", name="Create rate table").click()
        check("the rate table is created", "done=rate-table-created" in courier.url, courier.url)
        courier.get_by_role("link", name="Standard").first.click()
        check("the rate table's page opens from the list", "/rate-tables/" in courier.url, courier.url)
        axe_check(courier, axe, "/rate-tables/{id}")
        courier.goto(f"{base}/services")
        check("the service and the rate table are listed",
              courier.get_by_text("Paris next day").count() >= 1 and courier.get_by_text("Standard").count() >= 1)
        axe_check(courier, axe, "/services")
        shot(courier, "32-console-services")

        # Clients -> New client: a bad email refused, then the client with its depot and team.
        courier.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
        check("Clients opens from the menu", courier.url.endswith("/clients"), courier.url)
        axe_check(courier, axe, "/clients (empty)")
        courier.get_by_role("link", name="New client").click()
        courier.locator("#name").fill("Bloom Florists")
        courier.locator("#email").fill("not an email")
        courier.locator("#pickup_line1").fill("12 Rue Oberkampf")
        courier.locator("#pickup_postal_code").fill("75011")
        courier.locator("#pickup_city").fill("Paris")
        courier.locator("#pickup_country").fill("FR")
        courier.locator("#pickup_name").fill("Pia Bloom")
        courier.locator("#pickup_phone").fill("+33612345678")
        courier.locator("#auto_assign_team_id").select_option(label="North")
        courier.get_by_label("Allow uploads").check()
        courier.get_by_role("button", name="Create client").click()
        check("a bad email is refused next to its field", courier.locator("#email-error").is_visible())
        check("what was typed is kept", courier.locator("#pickup_line1").input_value() == "12 Rue Oberkampf")
        axe_check(courier, axe, "/clients/new (a field refused)")
        shot(courier, "33-console-new-client-error")
        courier.locator("#email").fill("pia@bloom.example")
        courier.get_by_role("button", name="Create client").click()
        check("the client is created and its page opens", re.search(r"/clients/cli_[0-9A-Z]{26}", courier.url),
              courier.url)
        client_url = courier.url.split("?")[0].split("#")[0]
        client_id = client_url.rsplit("/", 1)[1]
        courier.locator("#service-0").select_option(label="Paris next day")
        courier.locator("#rate-table-0").select_option(label="Standard (EUR)")
        courier.get_by_role("button", name="Save services").click()
        check("the service and rate table are the client's",
              "Paris next day" in courier.locator("#services tbody").inner_text())
        courier.get_by_role("button", name="Invite", exact=True).click()
        check("the invitation is sent", len(mails_to(api, "pia@bloom.example")) >= 1)
        check("the page shows the Client Portal ID", client_id in courier.content())
        axe_check(courier, axe, "/clients/{id}")
        shot(courier, "34-console-client")

        # On a phone (390 px wide): the console's menu fits, and its lists show a card a row.
        courier.set_viewport_size({"width": 390, "height": 844})
        for path in ["/clients", "/orders"]:
            courier.goto(base + path)
            sideways = courier.evaluate("""() => document.documentElement.scrollWidth > window.innerWidth + 1
                || [...document.querySelectorAll('.table-wrap')].some(w => w.scrollWidth > w.clientWidth + 1)
                || [...document.querySelectorAll('header nav a')].some(a => a.getClientRects().length > 1)""")
            check(f"on a phone {path} fits the screen", not sideways)
            axe_check(courier, axe, f"{path} (courier, phone)")
        shot(courier, "34b-console-clients-phone")
        courier.set_viewport_size({"width": 1280, "height": 720})

        # The client accepts in another browser and places an order with a postal code.
        client = browser.new_context().new_page()
        watch_csp(client, refused)
        client.goto(invitation_link(api, "pia@bloom.example"))
        check("the invitation names the courier and the client",
              "Swift Couriers" in client.content() and "Bloom Florists" in client.content())
        client.get_by_label("Your name").fill("Pia Bloom")
        client.get_by_label("Password").fill(PASSWORD)
        client.get_by_role("button", name="Create account and sign in").click()
        check("the client's person is signed in", client.url.endswith("/orders"), client.url)
        response = client.goto(f"{base}/clients")
        check("a client's person finds no courier page", response.status == 404, str(response.status))
        response = client.goto(f"{base}/services")
        check("nor Services & rates", response.status == 404, str(response.status))
        client.goto(f"{base}/orders/new")
        check("the depot is the pickup", client.locator("#pickup_line1").input_value() == "12 Rue Oberkampf")
        client.locator("#dropoff_line1").focus()
        type_dropoff(client)
        client.get_by_role("button", name="Get quotes").click()
        check("the postcode-area service quotes the order",
              "Paris next day" in client.content() and "12.50" in client.content())
        axe_check(client, axe, "/orders/new (quoted)")
        client.get_by_role("button", name="Place order").click()
        client.wait_for_url(re.compile(r".*/orders/ord_[0-9A-Z]{26}$"))
        order_url = client.url
        order_id = order_url.rsplit("/", 1)[1]
        check("the order is quoted", "12.50" in client.content())

        # Two people chat in two browsers: the client's person writes, the courier's sees the
        # unread count, opens the conversation (it clears) and answers; the client reads it.
        client.goto(f"{base}/messages")
        client.get_by_label("Message", exact=True).fill("Please ring the bell twice.")
        client.get_by_role("button", name="Send").click()
        client.wait_for_url(re.compile(r".*/messages#latest$"))
        courier.goto(f"{base}/messages")
        check("the courier's conversations count the unread message",
              re.search(r"\b1\s+unread", courier.locator(".conversations").inner_text())
              and "Bloom Florists" in courier.locator(".conversations").inner_text(),
              courier.locator(".conversations").inner_text())
        axe_check(courier, axe, "/messages (courier)")
        shot(courier, "34a-console-messages")
        courier.get_by_role("link", name="Bloom Florists").click()
        check("the conversation shows the message",
              "Please ring the bell twice." in courier.locator("#latest").inner_text())
        courier.get_by_label("Message", exact=True).fill("Will do.")
        courier.get_by_role("button", name="Send").click()
        courier.wait_for_url(re.compile(r".*/messages/cli_[0-9A-Z]{26}#latest$"))
        axe_check(courier, axe, "/messages/{clientId}")
        shot(courier, "34b-console-conversation")
        courier.goto(f"{base}/messages")
        check("reading cleared the count", "unread" not in courier.locator(".conversations").inner_text())
        client.goto(f"{base}/messages")
        check("the client reads the answer", "Will do." in client.locator("#latest").inner_text())

        # The courier sees it with the client's name, filters by client, rejects it.
        courier.goto(f"{base}/orders")
        check("the orders table has a Client column with the client's name",
              courier.get_by_role("columnheader", name="Client").count() == 1
              and "Bloom Florists" in courier.locator("tbody").inner_text())
        courier.locator("#client").select_option(label="Bloom Florists")
        courier.get_by_role("button", name="Apply").click()
        check("the client filter keeps the client's order", courier.locator("tbody tr").count() == 1
              and "client=" in courier.url, courier.url)
        axe_check(courier, axe, "/orders (courier, client filter)")
        shot(courier, "35-console-orders")
        courier.goto(f"{base}/orders/{order_id}")
        check("the courier's order page offers no edit or withdraw",
              courier.get_by_role("button", name="Withdraw order").count() == 0
              and courier.get_by_role("button", name="Save changes").count() == 0)
        courier.get_by_role("link", name="Reject order").click()
        check("a rejection asks first", courier.locator("#confirm-reject").is_visible())
        courier.locator("#confirm-reject").get_by_role("button", name="Reject order").click()
        check("an empty reason is refused next to its field", courier.locator("#reason-error").is_visible())
        axe_check(courier, axe, "/orders/{id} (reject, reason refused)")
        shot(courier, "36-console-reject")
        before = len(mails_to(api, "pia@bloom.example"))
        courier.locator("#reason").fill("We do not deliver to this street on Sundays")
        courier.locator("#confirm-reject").get_by_role("button", name="Reject order").click()
        check("the order is rejected", "Rejected" in courier.content())
        check("the client is emailed", len(mails_to(api, "pia@bloom.example")) > before)

        # The client corrects it and sends it again.
        client.goto(order_url)
        check("the client sees the reason", "We do not deliver to this street on Sundays" in client.content())
        resubmit_form = client.locator("form[action$='/resubmit']")
        resubmit_form.get_by_role("group", name="Dropoff", exact=True).get_by_label("Street address").fill(
            "10 Rue de la Paix")
        client.get_by_role("button", name="Save and resubmit").click()
        check("the order is placed again", "Placed" in client.locator("#order-status").inner_text(),
              client.locator("#order-status").inner_text())
        check("the page no longer says it is rejected", client.get_by_text("Rejected by the courier:").count() == 0)

        # The courier records its progress by hand, pickup then dropoff.
        courier.goto(f"{base}/orders/{order_id}")
        for kind in ["pickup", "dropoff"]:
            box = courier.locator(f"#progress-{kind}")
            box.locator(f"#{kind}-driverName").fill("Dan Driver")
            box.locator(f"#{kind}-driverPhone").fill("+33611111111")
            box.locator(f"#{kind}-teamId").select_option(label="North")
            box.get_by_role("button", name="Assign driver").click()
            box = courier.locator(f"#progress-{kind}")
            if kind == "pickup":
                axe_check(courier, axe, "/orders/{id} (record progress)")
                shot(courier, "37-console-progress")
            box.get_by_role("button", name="Mark started").click()
            box = courier.locator(f"#progress-{kind}")
            box.locator(f"#{kind}-eta").fill("2030-12-02T15:30")
            box.get_by_role("button", name="Set ETA").click()
            box = courier.locator(f"#progress-{kind}")
            box.get_by_role("button", name="Mark arrived").click()
            box = courier.locator(f"#progress-{kind}")
            if kind == "dropoff":
                box.locator(f"#{kind}-signedBy").fill("Marie Curie")
                box.locator(f"#{kind}-photoUrls").fill("https://photos.example/door.jpg")
                box.locator(f"#{kind}-notes").fill("Left with the concierge")
            box.get_by_role("button", name="Mark completed").click()
            check(f"the {kind} is completed", "Completed" in courier.content())
        check("the order is completed", "Completed" in courier.locator("#order-status").inner_text(),
              courier.locator("#order-status").inner_text())
        axe_check(courier, axe, "/orders/{id} (completed, courier)")

        # The client sees the proof and a timeline in words.
        client.goto(order_url)
        text = client.content()
        check("the client sees the proof", "Marie Curie" in text and "Left with the concierge" in text)
        check("the timeline is in words", "Driver assigned to the pickup" in text and "pickup_assigned" not in text)
        axe_check(client, axe, "/orders/{id} (completed, client)")
        shot(client, "38-console-client-sees-proof")

        # The courier exports the filtered view: the client's name in the CSV.
        courier.goto(f"{base}/orders?client={client_id}")
        with courier.expect_download() as download:
            courier.get_by_role("link", name="Export CSV").click()
        csv_text = open(download.value.path(), encoding="utf-8").read()
        check("the export names the client", "Bloom Florists" in csv_text, csv_text[:300])
        check("the export holds the order", order_id in csv_text or "Marie Curie" in csv_text)

        check("no page needed an inline script or style", not refused, str(refused[:5]))
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
