"""Accounts in Chromium (Debian's, through Playwright), against portal-local on a free port
with a fresh data dir: a courier made by `portal-admin create-courier` sets its password
from the emailed link, sees its orders and manages its teams (created, a taken name refused
next to the field, a team in a client's auto-assign rule kept with the client named, another
deleted after its confirmation step) and its people (Settings -> Team: a bad email refused
next to the field, a teammate invited who sets a password in a second browser, is made an
admin, removed after the confirmation step and signed out at the next request) and opts in to
the order digest from the keyboard; a client's user changes name, phone, password
and login email in /settings/user (errors next to the field, the email confirmed from the
link); forgot password -> the emailed link -> a new password -> signed in -> the link
refused a second time -> sign in with the keyboard. axe on every page (no serious or
critical violations); screenshots go to target/screenshots/ (prefix 2x-).

Run: .venv/bin/python tests/browser/account_flow.py (after `cargo build -p portal-local
-p portal-admin`).
"""

import json
import re
import subprocess
import sys
import tempfile
import time

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from portal_flow import (ARGS, CHROMIUM, REPO, SHOTS, Api, axe_check, check, free_port, invitation_link, results, shot,
                         watch_csp)

PASSWORD = "a long passphrase 42"
NEW_PASSWORD = "a newer passphrase 43"
LATEST = "the newest passphrase 44"


def link_in_outbox(api, path):
    _, outbox = api.call("GET", "/dev/outbox")
    text = json.dumps(outbox)
    links = re.findall(r"(http://[^\s\"\\]+/" + path + r"/[A-Za-z0-9_-]{43})(?=\\n|\s|\")", text)
    assert links, f"a {path} link in the outbox"
    return links[-1]


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix="portal-accounts-")
    admin = subprocess.run(
        [str(REPO / "target" / "debug" / "portal-admin"), "create-courier", "--name", "Swift Couriers",
         "--email", "dispatch@swift.example", "--data-dir", data, "--portal-url", base],
        capture_output=True, text=True, check=True)
    created = json.loads(admin.stdout)
    check("create-courier prints the first user's set-password link",
          "/reset-password/" in created["setPasswordLink"], admin.stdout)
    check("create-courier emails the link to the outbox", created["setPasswordLinkEmailed"] is True)
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


def run(api, base, created):
    courier_key = created["apiKey"]
    status, client = api.call("POST", "/v1/clients", courier_key,
                              {"name": "Bloom Florists", "email": "pia@bloom.example"})
    assert status == 201, client
    api.call("POST", f"/v1/clients/{client['id']}/invitation", courier_key)
    invitation = invitation_link(api, "pia@bloom.example")
    order_body = {"clientId": client["id"],
                  "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                  "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                              "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}}
    status, order = api.call("POST", "/v1/orders", courier_key, order_body)
    assert status == 201, order

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        axe = Axe()

        # The courier's first user: the set-password link from create-courier.
        courier = browser.new_context().new_page()
        refused = []
        watch_csp(courier, refused)
        courier.goto(created["setPasswordLink"])
        check("the set-password page shows its form", courier.get_by_role("heading", name="Set your password").is_visible())
        axe_check(courier, axe, "/reset-password/{token} (set up)")
        shot(courier, "21-set-password")
        courier.get_by_label("New password").fill(PASSWORD)
        courier.get_by_role("button", name="Set password and sign in").click()
        check("the courier's user is signed in on the orders", courier.url.endswith("/orders"), courier.url)
        check("the courier sees its clients' orders", "Marie Curie" in courier.content())
        axe_check(courier, axe, "/orders (courier)")
        shot(courier, "22-courier-orders")

        # The courier's teams (Settings -> Teams): one created, its name again refused next
        # to the field, one in a client's auto-assign rule kept (the client named), the
        # other deleted after its confirmation step.
        courier.goto(f"{base}/settings/organization")
        courier.get_by_role("navigation", name="Settings").get_by_role("link", name="Teams").click()
        check("the courier's settings lead to its teams", courier.url.endswith("/settings/teams"), courier.url)
        for name in ["North", "South"]:
            courier.get_by_label("Name", exact=True).fill(name)
            courier.get_by_role("button", name="Create team").click()
        check("the teams are listed", courier.get_by_text("Team created.").is_visible()
              and courier.locator("tbody tr").count() == 2)
        courier.get_by_label("Name", exact=True).fill("north")
        courier.get_by_role("button", name="Create team").click()
        check("a taken name is refused next to its field",
              courier.locator("#name-error").inner_text() == "Name is already another team's")
        axe_check(courier, axe, "/settings/teams (a name refused)")
        shot(courier, "22-courier-teams")
        status, teams = api.call("GET", "/v1/teams", courier_key)
        by_name = {t["name"]: t["id"] for t in teams["items"]}
        status, _ = api.call("PATCH", f"/v1/clients/{client['id']}", courier_key,
                             {"autoAssignTeamId": by_name["North"]})
        assert status == 200
        courier.get_by_role("link", name="Delete the team North").click()
        check("a delete asks first", courier.get_by_role("heading", name="Delete the team North?").is_visible())
        axe_check(courier, axe, "/settings/teams?delete= (confirmation)")
        courier.get_by_role("button", name="Delete team North").click()
        check("a team in use is kept, naming the client",
              "Bloom Florists" in courier.locator("#teams-alert").inner_text(), courier.locator("#teams-alert").inner_text())
        axe_check(courier, axe, "/settings/teams (in use)")
        courier.get_by_role("link", name="Delete the team South").click()
        courier.get_by_role("button", name="Delete team South").click()
        check("a team not in use is deleted", courier.get_by_text("Team deleted.").is_visible()
              and courier.locator("tbody tr").count() == 1)

        # The courier's people (Settings -> Team): a bad email refused next to its field; a
        # teammate invited (from the keyboard) who sets a password from the emailed link in
        # a second browser, is made an admin, then removed after the confirmation step, and
        # is signed out at their next request.
        courier.get_by_role("navigation", name="Settings").get_by_role("link", name="Team", exact=True).click()
        check("the settings lead to the team", courier.url.endswith("/settings/team"), courier.url)
        check("the signed-in person is listed as You", "(You)" in courier.locator("tbody").inner_text())
        axe_check(courier, axe, "/settings/team")
        courier.get_by_label("Email", exact=True).fill("sam-at-swift")
        courier.get_by_label("Name", exact=True).fill("Sam Teammate")
        courier.get_by_role("button", name="Send invitation").click()
        check("a bad email is refused next to its field",
              courier.locator("#email-error").inner_text() == "Email must be a valid email address",
              courier.locator("#email-error").inner_text())
        axe_check(courier, axe, "/settings/team (an email refused)")
        courier.get_by_label("Email", exact=True).fill("sam@swift.example")
        courier.get_by_label("Role", exact=True).select_option(label="Member")
        courier.get_by_label("Name", exact=True).press("Enter")
        courier.wait_for_url(re.compile(r".*/settings/team\?invited=.*"))
        check("the invitation is sent", courier.get_by_text("Invitation sent to sam@swift.example.").is_visible())
        check("the teammate is listed as invited", courier.get_by_text("Invited — has not signed in yet").is_visible())
        axe_check(courier, axe, "/settings/team (invited)")
        shot(courier, "23-team-invited")
        sam = browser.new_context().new_page()
        watch_csp(sam, refused)
        sam.goto(link_in_outbox(api, "reset-password"))
        sam.get_by_label("New password").fill(NEW_PASSWORD)
        sam.get_by_role("button", name="Set password and sign in").click()
        check("the teammate is signed in on the orders", sam.url.endswith("/orders"), sam.url)
        courier.reload()
        check("the teammate is no longer listed as invited",
              courier.get_by_text("Invited — has not signed in yet").count() == 0)
        courier.get_by_label("New role of Sam Teammate").select_option(label="Admin")
        courier.get_by_role("button", name="Change role of Sam Teammate").click()
        check("the role is changed", courier.get_by_text("Role changed.").is_visible()
              and "Admin" in courier.locator("tbody tr", has_text="sam@swift.example").inner_text())
        axe_check(courier, axe, "/settings/team (role changed)")
        courier.get_by_role("link", name="Remove Sam Teammate").click()
        check("a removal asks first",
              courier.get_by_role("heading", name="Remove Sam Teammate from the team?").is_visible())
        axe_check(courier, axe, "/settings/team?remove= (confirmation)")
        courier.get_by_role("button", name="Remove Sam Teammate").click()
        check("the teammate is removed", courier.get_by_text("Removed from the team.").is_visible()
              and "sam@swift.example" not in courier.locator("tbody").inner_text())
        axe_check(courier, axe, "/settings/team (removed)")

        # The order digest (a courier's person): off by default, chosen from the keyboard.
        courier.goto(f"{base}/settings/user")
        digest = courier.get_by_label("Email me the new orders and drafts")
        check("the order digest is off by default", digest.input_value() == "off", digest.input_value())
        digest.focus()
        digest.select_option(label="Every hour")
        courier.get_by_role("button", name="Save digest").focus()
        courier.keyboard.press("Enter")
        courier.wait_for_url("**/settings/user?saved=digest")
        check("the order digest is saved",
              courier.get_by_text("Your order digest setting is saved.").is_visible()
              and courier.get_by_label("Email me the new orders and drafts").input_value() == "hourly")
        axe_check(courier, axe, "/settings/user (order digest)")
        shot(courier, "23b-order-digest")
        sam.goto(f"{base}/orders")
        check("the removed teammate is signed out at the next request", sam.url.endswith("/login"), sam.url)
        sam.context.close()
        courier.context.close()

        page = browser.new_page()
        watch_csp(page, refused)
        page.goto(invitation)
        page.get_by_label("Your name").fill("Pia Bloom")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account and sign in").click()
        check("the client's user is signed in", page.url.endswith("/orders"), page.url)

        # On a phone (390 px wide): every menu label on one line, the menu within the screen.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/orders")
        broken = page.evaluate("""() => [...document.querySelectorAll('header nav a')]
            .filter(a => a.getClientRects().length > 1 || a.getBoundingClientRect().right > window.innerWidth)
            .map(a => a.textContent)""")
        check("on a phone no menu label breaks across lines or leaves the screen", broken == [], broken)
        axe_check(page, axe, "/orders on a phone")
        shot(page, "22a-phone-orders")
        page.set_viewport_size({"width": 1280, "height": 720})

        # Settings: name and phone, errors next to the field.
        page.get_by_role("link", name="Your account").click()
        check("the account settings open from the menu", page.url.endswith("/settings/user"), page.url)
        axe_check(page, axe, "/settings/user")
        shot(page, "23-user-settings")
        page.get_by_label("Name").fill("")
        page.get_by_label("Phone (optional)").fill("12")
        page.get_by_role("button", name="Save profile").click()
        check("an empty name is refused next to its field", page.locator("#name-error").is_visible())
        check("a bad phone is refused next to its field", page.locator("#phone-error").is_visible())
        axe_check(page, axe, "/settings/user with errors")
        shot(page, "24-user-settings-errors")
        page.get_by_label("Name").fill("Pia Rose")
        page.get_by_label("Phone (optional)").fill("+33612345678")
        page.get_by_role("button", name="Save profile").click()
        check("the profile is saved", "saved" in page.locator("#settings-notice").inner_text())
        check("the new name is shown", page.get_by_label("Name").input_value() == "Pia Rose")

        # Password: the current one is needed.
        page.get_by_label("Current password").first.fill("not my password")
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        check("a wrong current password is shown next to its field",
              "not right" in page.locator("#current_password-error").inner_text())
        page.get_by_label("Current password").first.fill(PASSWORD)
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        check("the password is changed", "password is changed" in page.locator("#settings-notice").inner_text())

        # Login email: a link to the new address; unchanged until confirmed.
        page.get_by_label("New login email").fill("pia@rose.example")
        page.locator("#email_password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Send confirmation link").click()
        check("the confirmation is on its way", page.locator("#pending-email").is_visible())
        check("the login email is unchanged until confirmed",
              page.locator("#login-email").inner_text() == "pia@bloom.example")
        axe_check(page, axe, "/settings/user (email pending)")
        shot(page, "25-user-settings-pending-email")
        page.goto(link_in_outbox(api, "login-email"))
        axe_check(page, axe, "/login-email/{token}")
        shot(page, "26-confirm-login-email")
        page.get_by_role("button", name="Confirm this email").click()
        check("the new login email is confirmed", "pia@rose.example" in page.locator("main").inner_text())
        page.goto(base + "/settings/user")
        check("the settings show the new login email", page.locator("#login-email").inner_text() == "pia@rose.example")
        page.get_by_role("button", name="Sign out").click()

        # Forgot password -> the link -> a new password -> signed in.
        page.goto(base + "/login")
        page.get_by_role("link", name="Forgot your password?").click()
        axe_check(page, axe, "/forgot-password")
        shot(page, "27-forgot-password")
        page.get_by_label("Email").fill("pia@rose.example")
        page.get_by_role("button", name="Email me a link").click()
        check("the same answer is shown", page.locator("#reset-sent").is_visible())
        axe_check(page, axe, "/forgot-password (sent)")
        shot(page, "28-forgot-password-sent")
        reset = link_in_outbox(api, "reset-password")
        page.goto(reset)
        axe_check(page, axe, "/reset-password/{token}")
        shot(page, "29-reset-password")
        page.get_by_label("New password").fill("short")
        page.get_by_role("button", name="Set password and sign in").click()
        check("a short password is refused next to its field", page.locator("#password-error").is_visible())
        axe_check(page, axe, "/reset-password/{token} with errors")
        page.get_by_label("New password").fill(LATEST)
        page.get_by_role("button", name="Set password and sign in").click()
        check("the reset signs in", page.url.endswith("/orders"), page.url)
        response = page.goto(reset)
        check("the reset link works once", response.status == 410, str(response.status))
        axe_check(page, axe, "used link")
        shot(page, "30-reset-link-used")
        page.goto(base + "/orders")
        page.get_by_role("button", name="Sign out").click()

        # Sign in with the new email and password, keyboard only.
        page.goto(base + "/login")
        page.keyboard.press("Tab")  # skip link
        page.keyboard.press("Tab")  # brand
        page.keyboard.press("Tab")
        page.keyboard.type("pia@rose.example")
        page.keyboard.press("Tab")
        page.keyboard.type(LATEST)
        page.keyboard.press("Enter")
        page.wait_for_url("**/orders")
        check("the new email and password sign in", page.url.endswith("/orders"), page.url)
        check("no page broke its Content-Security-Policy", not refused, refused)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
