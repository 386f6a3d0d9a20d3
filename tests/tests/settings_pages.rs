//! The communications and tracking-page settings pages, on both stores: what is saved is
//! shown again (and is what the JSON API reads), "Preview" renders what was typed without
//! saving, a bad value is refused next to its field, a cross-site post is refused, and
//! another client sees and changes only its own settings.

use bytes::Bytes;
use portal_tests::{on_both_backends, TestApp};

use crate::web_pages::{client_with_user, get, post, signed_up, HOST};

const DELAYED: &str = "templates.dropoff.delayed";

/// The communications form as the page shows it, with one template changed.
fn communications_form<'a>(delayed: &'a str, hours: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("language", "fr"),
        (
            "templates.dropoff.started",
            "{clientName}: votre commande {orderShortId} est en route. {trackingLink}",
        ),
        (DELAYED, delayed),
        ("draftReminders.enabled", "on"),
        ("draftReminders.afterHours", hours),
        ("action", "save"),
    ]
}

async fn cross_site(app: &TestApp, uri: &str, cookie: &str, body: &str) -> u16 {
    app.raw(
        "POST",
        uri,
        &[
            ("host", HOST),
            ("origin", "https://evil.example"),
            ("cookie", cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Bytes::from(body.to_string()),
    )
    .await
    .status
}

async fn communications_settings_round_trip(app: TestApp) {
    let (courier, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (_, other_cookie) = client_with_user(&app, &courier, "Thorn", "ops@thorn.example").await;
    let shown = get(&app, "/settings/communications", &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    // The defaults, each with its variables listed, its preview and its segment count.
    assert!(shown.text.contains("<code>{recipientName}</code>"));
    assert!(shown.text.contains("id=\"t-dropoff-delayed-live\""));
    assert!(shown.text.contains(
        "Hi Alex Morgan, your Corner Bakery order 7KQ4MZ2P is on its way with Speedy Couriers."
    ));
    // Running late is off by default: its suggested message is offered, not sent.
    assert!(shown.text.contains(
        "placeholder=\"Your {clientName} order {orderShortId} is running late. New ETA: {eta}. Track it: {trackingLink}\""
    ), "{}", shown.text);
    let delayed_live = portal_tests::token_in(
        &shown.text,
        "id=\"t-dropoff-delayed-live\" aria-live=\"polite\">",
        "</div>",
    );
    assert!(delayed_live.contains("Not sent: off"), "{delayed_live}");
    assert!(
        shown.text.contains("1 SMS segment</span>"),
        "{}",
        shown.text
    );
    assert!(shown
        .text
        .contains("aria-current=\"page\">Communications</a>"));

    // Preview: what was typed, rendered, counted, not saved. 200 GSM-7 characters are two
    // segments (153 per part); a euro sign counts twice; an accent outside GSM-7 makes it UCS-2.
    let long = format!("{} {{orderShortId}}", "a".repeat(180));
    let mut preview = communications_form(&long, "12");
    preview.retain(|(k, _)| *k != "action");
    preview.push(("action", "preview"));
    let previewed = post(&app, "/settings/communications", &cookie, &preview).await;
    assert_eq!(previewed.status, 200, "{}", previewed.text);
    assert!(previewed.text.contains("id=\"previewed\""));
    assert!(
        previewed.text.contains("2 SMS segments</span>"),
        "{}",
        previewed.text
    );
    assert!(previewed.text.contains("189 characters of 160"));
    let unicode = post(
        &app,
        "/settings/communications",
        &cookie,
        &[
            ("language", "en"),
            (DELAYED, "Ça arrive {orderShortId} ✓"),
            ("draftReminders.afterHours", "24"),
            ("action", "preview"),
        ],
    )
    .await;
    assert!(
        unicode.text.contains("Ça arrive 7KQ4MZ2P ✓"),
        "{}",
        unicode.text
    );
    assert!(unicode
        .text
        .contains("of 70 for one segment · Unicode (UCS-2)"));
    let still = get(&app, "/settings/communications", &cookie).await;
    assert!(
        !still.text.contains(&"a".repeat(180)),
        "a preview saves nothing"
    );

    // Bad values: each next to its field, what was typed kept.
    let bad = post(
        &app,
        "/settings/communications",
        &cookie,
        &communications_form("En retard {firstName}", "0"),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text.contains("id=\"t-dropoff-delayed-error\""),
        "{}",
        bad.text
    );
    assert!(bad.text.contains("unknown variable {firstName}"));
    assert!(bad.text.contains("id=\"afterHours-error\""));
    assert!(bad.text.contains("En retard {firstName}</textarea>"));
    // A template that could render to more than three SMS segments (43 tracking links, 15
    // segments): refused next to its field, on Preview too.
    let links = "{trackingLink}".repeat(43);
    for action in ["save", "preview"] {
        let mut form = communications_form(&links, "12");
        form.retain(|(k, _)| *k != "action");
        form.push(("action", action));
        let costly = post(&app, "/settings/communications", &cookie, &form).await;
        assert_eq!(
            costly.status,
            if action == "save" { 422 } else { 200 },
            "{}",
            costly.text
        );
        let error = portal_tests::token_in(&costly.text, "id=\"t-dropoff-delayed-error\">", "<");
        assert!(error.contains("SMS segments"), "{error}");
    }

    // Saved: shown again, and the JSON API reads the same settings.
    let saved = post(
        &app,
        "/settings/communications",
        &cookie,
        &communications_form("", "12"),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let again = get(&app, "/settings/communications?saved=1", &cookie).await;
    assert!(again.text.contains("id=\"saved\""));
    assert!(again.text.contains("<option value=\"fr\" selected>"));
    assert!(again
        .text
        .contains("votre commande {orderShortId} est en route. {trackingLink}</textarea>"));
    assert!(again
        .text
        .contains("Corner Bakery: votre commande 7KQ4MZ2P est en route."));
    assert!(again.text.contains("value=\"12\""));
    assert!(again.text.contains("id=\"t-dropoff-delayed\" name=\"templates.dropoff.delayed\" rows=\"2\" aria-describedby=\"t-dropoff-delayed-hint t-dropoff-delayed-live\" placeholder=\"Votre commande {clientName} {orderShortId} est en retard."), "an emptied trigger sends nothing: its suggestion is offered");
    assert!(again
        .text
        .contains("est en retard. Nouvelle heure prévue : {eta}. {trackingLink}\"></textarea>"));
    assert!(again.text.contains("(your courier's time zone)"));
    let created = post(&app, "/settings/api/keys", &cookie, &[("label", "Check")]).await;
    let secret = portal_tests::token_in(&created.text, "id=\"secret-value\">", "<");
    let api = app.get("/v1/settings/notifications", &secret).await;
    assert_eq!(api.body["language"], "fr", "{}", api.text);
    assert_eq!(api.body["draftReminders"]["afterHours"], 12);
    assert!(api.body["templates"]["dropoff"].get("delayed").is_none());
    assert!(api.body["templates"]["dropoff"]["started"]
        .as_str()
        .unwrap()
        .ends_with("est en route. {trackingLink}"));

    // Another client: its own defaults; its save leaves the first client's settings alone.
    let theirs = get(&app, "/settings/communications", &other_cookie).await;
    assert!(theirs.text.contains("<option value=\"en\" selected>"));
    assert!(!theirs.text.contains("est en route"));
    let mut form = communications_form("", "48");
    form[0].1 = "es";
    assert_eq!(
        post(&app, "/settings/communications", &other_cookie, &form)
            .await
            .status,
        303
    );
    let mine = get(&app, "/settings/communications", &cookie).await;
    assert!(
        mine.text.contains("<option value=\"fr\" selected>") && mine.text.contains("value=\"12\"")
    );

    // Cross-site: refused, nothing changed.
    let body = "language=es&draftReminders.afterHours=5&action=save";
    assert_eq!(
        cross_site(&app, "/settings/communications", &cookie, body).await,
        403
    );
    let after = get(&app, "/settings/communications", &cookie).await;
    assert!(after.text.contains("<option value=\"fr\" selected>"));
}

fn tracking_form<'a>(primary: &'a str, logo: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("primaryColor", primary),
        ("headerTextColor", "#FFFFFF"),
        ("backgroundColor", "#f0f0f0"),
        ("textColor", "#222222"),
        ("logoUrl", logo),
        ("showEta", "on"),
        ("showProofOfDelivery", "on"),
        ("action", "save"),
    ]
}

async fn tracking_page_settings_round_trip(app: TestApp) {
    let (courier, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (_, other_cookie) = client_with_user(&app, &courier, "Thorn", "ops@thorn.example").await;
    let shown = get(&app, "/settings/tracking-page", &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("value=\"#1a73e8\""));
    assert!(shown
        .text
        .contains("aria-current=\"page\">Tracking page</a>"));
    // The preview: the tracking page itself, escaped into sandboxed frames.
    assert!(shown.text.contains("id=\"preview-on-the-way\""));
    assert!(shown.text.contains("sandbox srcdoc=\""));
    assert!(shown.text.contains("--primary: #1a73e8;"));
    assert!(shown.text.contains("Order from Bloom"));

    // Preview: what was typed, not saved; the driver's name hidden when unticked.
    let mut preview = tracking_form("#aa0000", "https://cdn.example/bloom.png");
    preview.pop();
    preview.push(("action", "preview"));
    let previewed = post(&app, "/settings/tracking-page", &cookie, &preview).await;
    assert_eq!(previewed.status, 200, "{}", previewed.text);
    assert!(previewed.text.contains("--primary: #aa0000;"));
    assert!(previewed.text.contains("https://cdn.example/bloom.png"));
    assert!(
        !previewed.text.contains("id=&#34;driver&#34;")
            && !previewed.text.contains("id=&quot;driver&quot;")
    );
    assert!(get(&app, "/settings/tracking-page", &cookie)
        .await
        .text
        .contains("value=\"#1a73e8\""));

    // Bad values next to their fields; what was typed kept.
    let bad = post(
        &app,
        "/settings/tracking-page",
        &cookie,
        &tracking_form("red", "http://cdn.example/logo.png"),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("id=\"primaryColor-error\""));
    assert!(bad.text.contains("id=\"logoUrl-error\""));
    assert!(bad.text.contains("value=\"red\""));

    // Saved: shown again.
    let saved = post(
        &app,
        "/settings/tracking-page",
        &cookie,
        &tracking_form("#AA0000", "https://cdn.example/bloom.png"),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let again = get(&app, "/settings/tracking-page?saved=1", &cookie).await;
    assert!(again.text.contains("id=\"saved\""));
    for value in [
        "#aa0000",
        "#ffffff",
        "#f0f0f0",
        "#222222",
        "https://cdn.example/bloom.png",
    ] {
        assert!(
            again.text.contains(&format!("value=\"{value}\"")),
            "{value}"
        );
    }
    assert!(again
        .text
        .contains("id=\"showEta\" name=\"showEta\" value=\"on\" checked>"));
    assert!(again
        .text
        .contains("id=\"showDriverName\" name=\"showDriverName\" value=\"on\">"));

    // Another client: its own defaults; its save leaves the first client's alone.
    let theirs = get(&app, "/settings/tracking-page", &other_cookie).await;
    assert!(theirs.text.contains("value=\"#1a73e8\"") && !theirs.text.contains("bloom.png"));
    assert_eq!(
        post(
            &app,
            "/settings/tracking-page",
            &other_cookie,
            &tracking_form("#00aa00", "")
        )
        .await
        .status,
        303
    );
    let mine = get(&app, "/settings/tracking-page", &cookie).await;
    assert!(mine.text.contains("value=\"#aa0000\""));

    // The preview speaks the client's language, as the tracking page does.
    assert!(mine.text.contains("Track your delivery"));
    let spanish = [
        ("language", "es"),
        ("draftReminders.afterHours", "24"),
        ("action", "save"),
    ];
    assert_eq!(
        post(&app, "/settings/communications", &cookie, &spanish)
            .await
            .status,
        303
    );
    let mine = get(&app, "/settings/tracking-page", &cookie).await;
    assert!(mine.text.contains("Siga su entrega"), "{}", mine.text);

    // Cross-site: refused, nothing changed.
    let body = "primaryColor=%23000000&headerTextColor=%23ffffff&backgroundColor=%23ffffff&textColor=%23000000&action=save";
    assert_eq!(
        cross_site(&app, "/settings/tracking-page", &cookie, body).await,
        403
    );
    assert!(get(&app, "/settings/tracking-page", &cookie)
        .await
        .text
        .contains("value=\"#aa0000\""));
}

/// What the messages cost: each message's segments and price, and what a delivered order
/// sends in all, with the defaults (two messages) and as typed in a preview.
async fn communications_page_shows_what_the_messages_cost(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let shown = get(&app, "/settings/communications", &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(shown.text.matches("<h1").count(), 1, "one h1");
    assert!(shown
        .text
        .contains("<h2 id=\"sms-cost-title\">What the messages cost</h2>"));
    let per_order = |text: &str| portal_tests::token_in(text, "id=\"sms-cost-per-order\">", "</p>");
    // The defaults: on its way and delivered (failed replaces delivered), one segment each
    // with this deployment's tracking link, at the stack's default US price.
    assert_eq!(
        per_order(&shown.text),
        "A delivered order sends 2 messages (Dropoff: driver sets off, Dropoff: completed): \
         2 SMS segments, about <strong>$0.0177 per order</strong>, $17.66 per 1,000 orders, \
         at $0.00883 a segment."
    );
    let started = portal_tests::token_in(
        &shown.text,
        "id=\"t-dropoff-started-live\" aria-live=\"polite\">",
        "</div>",
    );
    assert!(
        started.contains("1 SMS segment</span>")
            && started.contains("about $0.00883 each time it is sent"),
        "{started}"
    );
    // The link is this deployment's (its base URL, a tracking token), as counted.
    let link = portal_tests::token_in(&started, "Track it: ", "</span>");
    assert!(
        link.starts_with("http") && link.ends_with("/track/Xk3v9QpL2mN8rT5wY7zB1c"),
        "{started}"
    );
    let hint = portal_tests::token_in(&shown.text, "id=\"sms-cost-figures\"", "</section>");
    assert!(
        hint.contains(&format!("your tracking links ({} characters)", link.len())),
        "{hint}"
    );
    // Every message box has its label; no raw trigger or kind names in the figures.
    let ids: Vec<&str> = shown
        .text
        .split("<textarea id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(ids.len(), 12, "a box per task kind and trigger");
    for id in ids {
        assert!(
            shown.text.contains(&format!("<label for=\"{id}\">")),
            "{id} has no label"
        );
    }
    assert!(
        !per_order(&shown.text).contains("dropoff_")
            && !per_order(&shown.text).contains("templates.")
    );

    // A preview: a driver-arriving message turned on, two segments long; the total follows.
    let long = format!("{} {{orderShortId}}", "a".repeat(180));
    let previewed = post(
        &app,
        "/settings/communications",
        &cookie,
        &[
            ("language", "en"),
            (
                "templates.dropoff.started",
                "Hi {recipientName}, on its way: {trackingLink}",
            ),
            ("templates.dropoff.arriving", &long),
            ("templates.dropoff.completed", "Delivered. {trackingLink}"),
            (
                "templates.dropoff.failed",
                "We could not deliver {orderShortId}.",
            ),
            ("draftReminders.afterHours", "24"),
            ("action", "preview"),
        ],
    )
    .await;
    assert_eq!(previewed.status, 200, "{}", previewed.text);
    assert_eq!(
        per_order(&previewed.text),
        "A delivered order sends 3 messages (Dropoff: driver sets off, Dropoff: driver arriving, \
         Dropoff: completed): 4 SMS segments, about <strong>$0.0353 per order</strong>, \
         $35.32 per 1,000 orders, at $0.00883 a segment."
    );
    let arriving = portal_tests::token_in(
        &previewed.text,
        "id=\"t-dropoff-arriving-live\" aria-live=\"polite\">",
        "</div>",
    );
    assert!(
        arriving.contains("about $0.0177 each time it is sent"),
        "{arriving}"
    );
    // Nothing on: nothing to pay.
    let silent = post(
        &app,
        "/settings/communications",
        &cookie,
        &[
            ("language", "en"),
            ("draftReminders.afterHours", "24"),
            ("action", "preview"),
        ],
    )
    .await;
    assert!(per_order(&silent.text).starts_with("A delivered order sends no text message"));
}

on_both_backends!(
    communications_page_shows_what_the_messages_cost,
    communications_settings_round_trip,
    tracking_page_settings_round_trip,
    the_arriving_time_is_shown_in_words_and_refused_next_to_its_field,
);

/// The "driver arriving" threshold on the Communications page: shown in words (10 minutes
/// by default), refused next to its field out of 1 to 120, saved and read by the API.
async fn the_arriving_time_is_shown_in_words_and_refused_next_to_its_field(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let shown = get(&app, "/settings/communications", &cookie).await;
    assert!(
        shown
            .text
            .contains("id=\"arrivingMinutes\" name=\"arrivingMinutes\""),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("value=\"10\""));
    assert!(shown
        .text
        .contains("When the estimated arrival is 10 minutes away or less"));
    let mut form = communications_form("", "24");
    form.push(("arrivingMinutes", "0"));
    let bad = post(&app, "/settings/communications", &cookie, &form).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let error = portal_tests::token_in(&bad.text, "id=\"arrivingMinutes-error\">", "<");
    assert_eq!(
        error,
        "Arriving time must be a number of minutes from 1 to 120"
    );
    assert!(bad.text.contains("aria-invalid=\"true\""));
    form.pop();
    form.push(("arrivingMinutes", "7"));
    let saved = post(&app, "/settings/communications", &cookie, &form).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let again = get(&app, "/settings/communications", &cookie).await;
    assert!(again
        .text
        .contains("When the estimated arrival is 7 minutes away or less"));
    let created = post(&app, "/settings/api/keys", &cookie, &[("label", "Check")]).await;
    let secret = portal_tests::token_in(&created.text, "id=\"secret-value\">", "<");
    let api = app.get("/v1/settings/notifications", &secret).await;
    assert_eq!(api.body["arrivingMinutes"], 7, "{}", api.text);
}
