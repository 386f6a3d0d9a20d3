//! Email links that change something open a page with a button, on both stores: an
//! organisation's new email is confirmed on its page (reading it changes nothing; a used or
//! expired link says so in words), an invitation is accepted for API access only on its page
//! (the key shown once), and every email the portal sends is HTML with a plain-text part,
//! headed with the courier's name, without a curl command, an API URL or an ISO timestamp.

use portal_tests::{on_both_backends, TestApp};
use serde_json::json;

use crate::web_sessions::{page, signed_up, PASSWORD};

/// Mail a person reads: both parts, the brand in both, no API in either, times in words.
fn assert_readable(email: &portal::notify::OutgoingEmail, brand: &str) {
    let html = email
        .html
        .as_deref()
        .unwrap_or_else(|| panic!("an HTML part: {}", email.subject));
    for part in [email.text.as_str(), html] {
        assert!(!part.contains("curl"), "{}: {part}", email.subject);
        assert!(!part.contains("/v1/"), "{}: {part}", email.subject);
        assert!(!has_iso_timestamp(part), "{}: {part}", email.subject);
        assert!(
            part.contains(brand),
            "{} names {brand}: {part}",
            email.subject
        );
    }
}

/// `2026-12-08T13:30` anywhere in the text.
fn has_iso_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(16).any(|w| {
        let digits = |range: std::ops::Range<usize>| w[range].iter().all(u8::is_ascii_digit);
        digits(0..4)
            && w[4] == b'-'
            && digits(5..7)
            && w[7] == b'-'
            && digits(8..10)
            && w[10] == b'T'
            && digits(11..13)
            && w[13] == b':'
            && digits(14..16)
    })
}

/// A pending email change of a client (`new`), and the link of its confirmation page.
async fn email_change(app: &TestApp, courier_key: &str, client: &str, new: &str) -> String {
    let patched = app
        .call(
            "PATCH",
            &format!("/v1/clients/{client}"),
            Some(courier_key),
            Some(json!({ "email": new })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let text = app.last_email_to(new).text;
    format!(
        "/email-confirmations/{}",
        portal_tests::token_in(&text, "/email-confirmations/", "\n")
    )
}

async fn the_confirmation_page_changes_nothing_until_its_button_is_pressed(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let link = email_change(&app, &courier.key, &client, "new@bloom.example").await;
    let mail = app.last_email_to("new@bloom.example");
    assert_readable(&mail, "Swift Couriers");
    assert!(mail.text.contains("(Europe/Paris time)"), "{}", mail.text);
    for _ in 0..2 {
        let shown = page(&app, "GET", &link, None, "").await;
        assert_eq!(shown.status, 200, "{}", shown.text);
        assert!(shown.text.contains("new@bloom.example"), "{}", shown.text);
        assert!(shown.text.contains("Swift Couriers"), "{}", shown.text);
        assert!(
            shown.text.contains("<form method=\"post\">")
                && shown.text.contains(">Confirm</button>"),
            "{}",
            shown.text
        );
    }
    let before = app
        .get(&format!("/v1/clients/{client}"), &courier.key)
        .await
        .body;
    assert_eq!(before["email"], "orders@bloom.example", "nothing changed");
    assert_eq!(before["pendingEmail"], "new@bloom.example");

    let confirmed = page(&app, "POST", &link, None, "").await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert!(confirmed.text.contains("Email address confirmed"));
    let after = app
        .get(&format!("/v1/clients/{client}"), &courier.key)
        .await
        .body;
    assert_eq!(after["email"], "new@bloom.example");
    assert!(after.get("pendingEmail").is_none(), "{after}");

    for method in ["GET", "POST"] {
        let used = page(&app, method, &link, None, "").await;
        assert_eq!(used.status, 410, "{method}: {}", used.text);
        assert!(
            used.text
                .contains("This confirmation has already been used."),
            "{method}: {}",
            used.text
        );
    }
    let unknown = page(
        &app,
        "GET",
        "/email-confirmations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        None,
        "",
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text.contains("This link is not valid."));

    // Expired after its days: said so, and nothing changes.
    let link = email_change(&app, &courier.key, &client, "later@bloom.example").await;
    app.clock
        .advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
    for method in ["GET", "POST"] {
        let late = page(&app, method, &link, None, "").await;
        assert_eq!(late.status, 410, "{method}: {}", late.text);
        assert!(
            late.text.contains("This confirmation has expired."),
            "{method}: {}",
            late.text
        );
    }
    let still = app
        .get(&format!("/v1/clients/{client}"), &courier.key)
        .await
        .body;
    assert_eq!(still["email"], "new@bloom.example");
}

async fn an_address_taken_meanwhile_is_said_in_words(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let other = app
        .create_client(&courier, "Petals", "hello@petals.example")
        .await;
    let first = email_change(&app, &courier.key, &client, "shared@flowers.example").await;
    let second = email_change(&app, &courier.key, &other, "shared@flowers.example").await;
    let won = page(&app, "POST", &second, None, "").await;
    assert_eq!(won.status, 200, "{}", won.text);
    let lost = page(&app, "POST", &first, None, "").await;
    assert_eq!(lost.status, 410, "{}", lost.text);
    assert!(
        lost.text
            .contains("Another client of this courier already uses shared@flowers.example."),
        "{}",
        lost.text
    );
}

async fn an_invitation_accepted_for_api_access_only_shows_its_key_once(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let token = app.invite(&courier, &client).await;
    let mail = app.last_email_to("orders@bloom.example");
    assert_readable(&mail, "Swift Couriers");
    assert!(mail.text.contains("API access only"), "{}", mail.text);
    let uri = format!("/invitations/{token}");
    let shown = page(&app, "GET", &uri, None, "").await;
    assert_eq!(shown.status, 200);
    // The page names who invites whom, the courier as its brand.
    assert!(
        shown
            .text
            .contains("<h1>Swift Couriers invites Bloom Florist</h1>")
            && shown
                .text
                .contains("<a class=\"brand\" href=\"/\">Swift Couriers</a>")
            && shown
                .text
                .contains("<title>Swift Couriers invites Bloom Florist"),
        "{}",
        shown.text
    );
    assert!(
        shown.text.contains("name=\"access\" value=\"api\"")
            && shown.text.contains("Accept for API access only"),
        "{}",
        shown.text
    );

    let accepted = page(&app, "POST", &uri, None, "access=api").await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    assert!(
        accepted.text.contains("shown only once"),
        "{}",
        accepted.text
    );
    let key = accepted
        .text
        .split("id=\"api-key\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the key on the page")
        .to_string();
    assert!(key.starts_with("client_sk_"), "{key}");
    let keys = app.get("/v1/api-keys", &key).await;
    assert_eq!(keys.status, 200, "the key works: {}", keys.text);
    assert_eq!(
        app.get(&format!("/v1/clients/{client}"), &courier.key)
            .await
            .body["status"],
        "active"
    );
    for (method, form) in [("GET", ""), ("POST", "access=api")] {
        let again = page(&app, method, &uri, None, form).await;
        assert_eq!(again.status, 410, "{method}: {}", again.text);
        assert!(!again.text.contains("client_sk_"), "never shown again");
    }
}

async fn every_email_is_html_and_text_in_words_with_its_brand(app: TestApp) {
    let (courier, client, cookie) = signed_up(&app, "Bloom", "orders@bloom.example").await;
    // The organisation's email, the login email, a password reset.
    email_change(&app, &courier.key, &client, "new@bloom.example").await;
    let asked = page(
        &app,
        "POST",
        "/settings/user/email",
        Some(&cookie),
        &format!(
            "new_email=pia%40rose.example&password={}",
            PASSWORD.replace(' ', "+")
        ),
    )
    .await;
    assert_eq!(asked.status, 303, "{}", asked.text);
    let reset = page(
        &app,
        "POST",
        "/forgot-password",
        None,
        "email=orders%40bloom.example",
    )
    .await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    // A rejected order: the client's mail, with both names and the order's page.
    let placed = app
        .call(
            "POST",
            "/v1/orders",
            Some(&courier.key),
            Some(json!({
                "clientId": client,
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                    "recipient": {"name": "Marie Curie", "phone": "+33698765432"}},
                "weight": 1.0, "pieces": 1
            })),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    let id = placed.body["id"].as_str().unwrap();
    let rejected = app
        .post(
            &format!("/v1/orders/{id}/reject"),
            &courier.key,
            json!({"reason": "No deliveries on Sundays"}),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    app.deliver_stream().await;
    let rejection = app
        .emails()
        .into_iter()
        .find(|e| e.subject.contains("was rejected"))
        .expect("the rejection email");
    assert!(
        rejection.text.contains(&format!("/orders/{id}\n")),
        "{}",
        rejection.text
    );
    assert!(
        rejection.text.contains("(Europe/Paris time)"),
        "{}",
        rejection.text
    );
    assert_readable(&rejection, "Bloom Couriers · Bloom");

    let emails = app.emails();
    assert!(emails.len() >= 5, "{emails:?}");
    for email in &emails {
        assert_readable(email, "Bloom Couriers");
    }
}

on_both_backends!(
    the_confirmation_page_changes_nothing_until_its_button_is_pressed,
    an_address_taken_meanwhile_is_said_in_words,
    an_invitation_accepted_for_api_access_only_shows_its_key_once,
    every_email_is_html_and_text_in_words_with_its_brand,
);
