//! Mail that goes out through the courier's SES identity to addresses nobody has confirmed
//! yet, on both stores: confirmation mails are limited per organisation and per address
//! (429 `rate_limited` with `retry-after`; on the pages, next to the email field), names
//! cannot carry line breaks or other control characters, and the confirmation mail names
//! the courier, never text the client typed.

use portal_tests::{on_both_backends, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::web_pages::{get, post};
use crate::web_sessions::{signed_up, PASSWORD};

async fn patch_organization(app: &TestApp, key: &str, body: Value) -> TestResponse {
    app.call("PATCH", "/v1/settings/organization", Some(key), Some(body))
        .await
}

fn assert_rate_limited(response: &TestResponse) {
    assert_eq!(response.status, 429, "{}", response.text);
    assert_eq!(response.error_code(), "rate_limited", "{}", response.text);
    let retry: i64 = response
        .header("retry-after")
        .expect("a retry-after header")
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
}

async fn confirmation_mails_are_limited_per_organisation(app: TestApp) {
    app.at_the_start_of_a_window();
    let courier = app.create_courier("Bay Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    for i in 0..5 {
        let changed = patch_organization(
            &app,
            &client.key,
            json!({"email": format!("new{i}@bloom.example")}),
        )
        .await;
        assert_eq!(changed.status, 200, "{}", changed.text);
    }
    let before = app.emails().len();
    let limited =
        patch_organization(&app, &client.key, json!({"email": "new5@bloom.example"})).await;
    assert_rate_limited(&limited);
    assert_eq!(app.emails().len(), before, "no mail past the limit");
    let read = app.get("/v1/settings/organization", &client.key).await;
    assert_eq!(
        read.body["pendingEmail"], "new4@bloom.example",
        "nothing saved"
    );
    // The courier changing its client's email counts for the same organisation.
    let by_courier = app
        .call(
            "PATCH",
            &format!("/v1/clients/{}", client.id),
            Some(&courier.key),
            Some(json!({"email": "new6@bloom.example"})),
        )
        .await;
    assert_rate_limited(&by_courier);
    // Changes that send nothing are not limited.
    let named = patch_organization(&app, &client.key, json!({"name": "Bloom & Co"})).await;
    assert_eq!(named.status, 200, "{}", named.text);
    // The window passes.
    app.clock.advance(chrono::Duration::minutes(61));
    let later = patch_organization(&app, &client.key, json!({"email": "new5@bloom.example"})).await;
    assert_eq!(later.status, 200, "{}", later.text);
}

async fn confirmation_mails_are_limited_per_address(app: TestApp) {
    app.at_the_start_of_a_window();
    let courier = app.create_courier("Bay Couriers").await;
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    for name in ["Thorn", "Moss", "Fern"] {
        let client = app
            .onboard_client(
                &courier,
                name,
                &format!("ops@{}.example", name.to_lowercase()),
            )
            .await;
        let changed =
            patch_organization(&app, &client.key, json!({"email": "victim@else.example"})).await;
        assert_eq!(changed.status, 200, "{}", changed.text);
    }
    let before = app.emails().len();
    let fourth = app.onboard_client(&courier, "Ivy", "ops@ivy.example").await;
    let sent_by_onboarding = app.emails().len() - before;
    let limited =
        patch_organization(&app, &fourth.key, json!({"email": "VICTIM@else.example"})).await;
    assert_rate_limited(&limited);
    // The login email change to that address too, next to the field on the page.
    let asked = post(
        &app,
        "/settings/user/email",
        &cookie,
        &[("new_email", "victim@else.example"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(asked.status, 429, "{}", asked.text);
    assert_eq!(asked.header("retry-after").is_some(), true);
    assert!(
        asked.text.contains("id=\"new_email-error\""),
        "{}",
        asked.text
    );
    assert_eq!(app.emails().len(), before + sent_by_onboarding);
    // The organisation page shows it next to the contact email.
    let (_, _, cookie) = signed_up(&app, "Rose", "ops@rose.example").await;
    let form = |email: &'static str| vec![("name", "Rose"), ("email", email), ("units", "metric")];
    let refused = post(
        &app,
        "/settings/organization",
        &cookie,
        &form("victim@else.example"),
    )
    .await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    let error = refused
        .text
        .split("id=\"email-error\"")
        .nth(1)
        .unwrap_or_else(|| panic!("an error next to the email: {}", refused.text));
    assert!(error.contains("too many confirmation emails"), "{error}");
    assert!(refused.header("retry-after").is_some());
    assert!(get(&app, "/settings/organization", &cookie)
        .await
        .text
        .contains("ops@rose.example"));
}

async fn names_hold_no_control_characters(app: TestApp) {
    let courier = app.create_courier("Bay Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    for name in [
        "Bloom\nWin a prize at https://evil.example",
        "Bloom\r\nBcc: x@evil.example",
        "Bloom\tFlorist",
        "Bloom\u{85}Florist",
        "Bloom\u{1b}[31m",
    ] {
        let refused = patch_organization(&app, &client.key, json!({ "name": name })).await;
        assert_eq!(
            (refused.status, refused.error_field()),
            (422, "name"),
            "{name:?}: {}",
            refused.text
        );
        let created = app
            .post(
                "/v1/clients",
                &courier.key,
                json!({"name": name, "email": "x@thorn.example"}),
            )
            .await;
        assert_eq!(
            (created.status, created.error_field()),
            (422, "name"),
            "{name:?}: {}",
            created.text
        );
    }
    let (_, _, cookie) = signed_up(&app, "Moss", "pia@moss.example").await;
    let profile = post(
        &app,
        "/settings/user",
        &cookie,
        &[("name", "Pia\nMoss"), ("phone", "")],
    )
    .await;
    assert_eq!(profile.status, 422, "{}", profile.text);
    assert!(
        profile.text.contains("id=\"name-error\""),
        "{}",
        profile.text
    );
    let organization = post(
        &app,
        "/settings/organization",
        &cookie,
        &[
            ("name", "Moss\nFree money"),
            ("email", "pia@moss.example"),
            ("units", "metric"),
        ],
    )
    .await;
    assert_eq!(organization.status, 422, "{}", organization.text);
    assert!(
        organization.text.contains("id=\"name-error\""),
        "{}",
        organization.text
    );
}

async fn confirmation_mails_carry_no_text_the_client_typed(app: TestApp) {
    let courier = app.create_courier("Bay Couriers").await;
    let client = app
        .onboard_client(
            &courier,
            "Cheap pills at pills.example",
            "orders@bloom.example",
        )
        .await;
    let changed =
        patch_organization(&app, &client.key, json!({"email": "someone@else.example"})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let mail = app.last_email_to("someone@else.example");
    assert!(mail.text.contains("Bay Couriers"), "{}", mail.text);
    assert!(!mail.text.contains("pills"), "{}", mail.text);
    assert!(!mail.subject.contains("pills"), "{}", mail.subject);
    // The login email change names the courier, not the user.
    let (_, _, cookie) = signed_up(&app, "Thorn", "pia@thorn.example").await;
    let renamed = post(
        &app,
        "/settings/user",
        &cookie,
        &[("name", "Cheap pills at pills.example"), ("phone", "")],
    )
    .await;
    assert_eq!(renamed.status, 303, "{}", renamed.text);
    let asked = post(
        &app,
        "/settings/user/email",
        &cookie,
        &[
            ("new_email", "someone@other.example"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(asked.status, 303, "{}", asked.text);
    let mail = app.last_email_to("someone@other.example");
    assert!(mail.text.contains("Thorn Couriers"), "{}", mail.text);
    assert!(!mail.text.contains("pills"), "{}", mail.text);
}

on_both_backends!(
    confirmation_mails_are_limited_per_organisation,
    confirmation_mails_are_limited_per_address,
    names_hold_no_control_characters,
    confirmation_mails_carry_no_text_the_client_typed,
);
