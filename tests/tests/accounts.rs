//! Accounts on both stores: "forgot password" (the same answer for unknown emails, a link
//! that works once and for an hour, every session ended, requests limited); the user's
//! settings (name and phone, password change ending the other sessions, login email changed
//! only once confirmed and kept unique); a courier's first user from `create-courier`;
//! cross-site posts to every account form refused; a deleted client's users locked out.

use bytes::Bytes;
use portal::clock::Clock;
use portal_tests::{on_both_backends, TestApp, TestResponse};
use serde_json::json;

use crate::web_sessions::{cookie_of, credentials, page, signed_up, HOST, PASSWORD};

const NEW_PASSWORD: &str = "another long passphrase";

fn encoded(pairs: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        form.append_pair(k, v);
    }
    form.finish()
}

/// The text of the element with this id (up to its first tag).
fn text_of(r: &TestResponse, id: &str) -> String {
    r.text
        .split(&format!("id=\"{id}\">"))
        .nth(1)
        .and_then(|t| t.split("</p>").next())
        .unwrap_or_default()
        .to_string()
}

async fn signs_in(app: &TestApp, email: &str, password: &str) -> u16 {
    page(app, "POST", "/login", None, &credentials(email, password))
        .await
        .status
}

async fn opens(app: &TestApp, cookie: &str) -> bool {
    page(app, "GET", "/orders", Some(cookie), "").await.status == 200
}

async fn reset_link(app: &TestApp, email: &str) -> String {
    let before = app.emails().len();
    let sent = page(
        app,
        "POST",
        "/forgot-password",
        None,
        &encoded(&[("email", email)]),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(app.emails().len(), before + 1, "one email to {email}");
    let text = app.last_email_to(email).text;
    format!(
        "/reset-password/{}",
        portal_tests::token_in(&text, "/reset-password/", "\n")
    )
}

fn reset_link_in(app: &TestApp, email: &str) -> String {
    let text = app.last_email_to(email).text;
    format!(
        "/reset-password/{}",
        portal_tests::token_in(&text, "/reset-password/", "\n")
    )
}

async fn forgot_password_link_works_once_and_ends_every_session(app: TestApp) {
    let (_, _, first) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let second = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("pia@bloom.example", PASSWORD),
    )
    .await;
    let second = cookie_of(&second);
    assert_eq!(
        page(&app, "GET", "/forgot-password", None, "").await.status,
        200
    );
    // Signed in, the password is changed in the settings.
    let signed = page(&app, "GET", "/forgot-password", Some(&first), "").await;
    assert_eq!(signed.header("location"), Some("/settings/user"));
    // An unknown email: the same answer, no email.
    let before = app.emails().len();
    let unknown = page(
        &app,
        "POST",
        "/forgot-password",
        None,
        "email=nobody%40bloom.example",
    )
    .await;
    assert_eq!(unknown.status, 200);
    assert_eq!(app.emails().len(), before);
    let invalid = page(&app, "POST", "/forgot-password", None, "email=not-an-email").await;
    assert_eq!(invalid.status, 422);
    assert!(
        invalid.text.contains("id=\"email-error\""),
        "{}",
        invalid.text
    );
    let link = reset_link(&app, "pia@bloom.example").await;
    // A second link (the same answer as for the unknown email).
    let other_link = reset_link(&app, "pia@bloom.example").await;
    let known = page(
        &app,
        "POST",
        "/forgot-password",
        None,
        "email=pia%40bloom.example",
    )
    .await;
    assert_eq!(
        text_of(&unknown, "reset-sent").replace("nobody@", "pia@"),
        text_of(&known, "reset-sent"),
    );
    let other_link_too = reset_link_in(&app, "pia@bloom.example");
    // Reading the form twice never uses the link.
    for _ in 0..2 {
        let form = page(&app, "GET", &link, None, "").await;
        assert_eq!(form.status, 200, "{}", form.text);
        assert!(form.text.contains("Choose a new password"));
    }
    // Cross-site: refused, the link unused.
    let body = Bytes::from(encoded(&[("password", NEW_PASSWORD)]));
    let refused = app
        .raw(
            "POST",
            &link,
            &[("host", HOST), ("origin", "https://evil.example")],
            body,
        )
        .await;
    assert_eq!(refused.status, 403);
    let short = page(&app, "POST", &link, None, "password=short").await;
    assert_eq!(short.status, 422);
    assert!(short.text.contains("id=\"password-error\""));
    let reset = page(
        &app,
        "POST",
        &link,
        None,
        &encoded(&[("password", NEW_PASSWORD)]),
    )
    .await;
    assert_eq!(reset.status, 303, "{}", reset.text);
    assert_eq!(reset.header("location"), Some("/orders"));
    let fresh = cookie_of(&reset);
    assert!(opens(&app, &fresh).await);
    // Every earlier session ended server-side.
    assert!(!opens(&app, &first).await);
    assert!(!opens(&app, &second).await);
    // The link works once.
    let again = page(
        &app,
        "POST",
        &link,
        None,
        &encoded(&[("password", "yet another passphrase")]),
    )
    .await;
    assert_eq!(again.status, 410, "{}", again.text);
    assert_eq!(page(&app, "GET", &link, None, "").await.status, 410);
    // Using one link retires the others sent before it.
    for other in [&other_link, &other_link_too] {
        let answer = page(
            &app,
            "POST",
            other,
            None,
            &encoded(&[("password", "yet another passphrase")]),
        )
        .await;
        assert_eq!(answer.status, 410, "{}", answer.text);
    }
    assert_eq!(signs_in(&app, "pia@bloom.example", PASSWORD).await, 401);
    assert_eq!(signs_in(&app, "pia@bloom.example", NEW_PASSWORD).await, 303);
    // A link is good for an hour.
    app.clock.advance(chrono::Duration::minutes(16));
    let late = reset_link(&app, "pia@bloom.example").await;
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(page(&app, "GET", &late, None, "").await.status, 410);
    let expired = page(
        &app,
        "POST",
        &late,
        None,
        &encoded(&[("password", "yet another passphrase")]),
    )
    .await;
    assert_eq!(expired.status, 410);
    // Unknown tokens.
    assert_eq!(
        page(&app, "GET", "/reset-password/nope", None, "")
            .await
            .status,
        404
    );
    assert_eq!(
        page(
            &app,
            "GET",
            &format!("/reset-password/{}", "A".repeat(43)),
            None,
            ""
        )
        .await
        .status,
        404
    );
}

async fn reset_requests_are_limited(app: TestApp) {
    app.at_the_start_of_a_window();
    signed_up(&app, "Bloom", "pia@bloom.example").await;
    for _ in 0..3 {
        reset_link(&app, "pia@bloom.example").await;
    }
    let before = app.emails().len();
    let limited = page(
        &app,
        "POST",
        "/forgot-password",
        None,
        "email=pia%40bloom.example",
    )
    .await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert!(text_of(&limited, "reset-error").contains("Too many reset requests"));
    assert_eq!(app.emails().len(), before);
    app.clock.advance(chrono::Duration::minutes(16));
    reset_link(&app, "pia@bloom.example").await;
}

/// SES as a slow day has it: each email takes 700 ms of the test clock.
struct SlowMailer {
    inner: std::sync::Arc<portal::notify::Recorder>,
    clock: std::sync::Arc<portal::clock::ShiftedClock>,
}

#[async_trait::async_trait]
impl portal::notify::Mailer for SlowMailer {
    async fn send_email(
        &self,
        email: &portal::notify::OutgoingEmail,
    ) -> Result<(), portal::notify::NotifyError> {
        self.clock.advance(chrono::Duration::milliseconds(700));
        self.inner.send_email(email).await
    }
}

/// How long "forgot password" takes to answer for `email`, on the test clock.
async fn reset_takes(app: &TestApp, ctx: &portal::Ctx, email: &str) -> chrono::Duration {
    let email = portal::domain::Email::parse(email).unwrap();
    let started = app.clock.now();
    portal::accounts::password_reset::request_reset(
        ctx,
        &email,
        Some("192.0.2.1"),
        "https://portal.test",
    )
    .await
    .unwrap();
    app.clock.now() - started
}

async fn forgot_password_answers_in_the_same_time_known_or_not(app: TestApp) {
    signed_up(&app, "Bloom", "pia@bloom.example").await;
    let ctx = portal::Ctx {
        store: app.store.clone(),
        mailer: Some(std::sync::Arc::new(SlowMailer {
            inner: app.recorder.clone(),
            clock: app.clock.clone(),
        })),
        sms: None,
        pusher: None,
        clock: app.clock.clone(),
        config: app.ctx().config.clone(),
    };
    let before = app.emails().len();
    let known = reset_takes(&app, &ctx, "pia@bloom.example").await;
    assert_eq!(app.emails().len(), before + 1, "the link is sent");
    let unknown = reset_takes(&app, &ctx, "nobody@bloom.example").await;
    assert_eq!(app.emails().len(), before + 1, "nothing sent to nobody");
    // Both answers take the fixed minimum (1 s), which covers the email's 700 ms; the test
    // clock jumps instead of sleeping, so only the real work (microseconds) differs.
    let minimum = chrono::Duration::seconds(1);
    assert!(known >= minimum && unknown >= minimum, "{known} {unknown}");
    assert!(
        (known - unknown).abs() < chrono::Duration::milliseconds(200),
        "{known} {unknown}"
    );
}

async fn user_settings_round_trip(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    signed_up(&app, "Thorn", "ops@thorn.example").await;
    let settings = page(&app, "GET", "/settings/user", Some(&cookie), "").await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    assert!(settings.text.contains("Pia Bloom"));
    assert!(settings.text.contains("value=\"+33612345678\""));
    // Signed out: to the sign-in page; cross-site: refused.
    let anonymous = page(&app, "GET", "/settings/user", None, "").await;
    assert_eq!(anonymous.header("location"), Some("/login"));
    for uri in [
        "/settings/user",
        "/settings/user/password",
        "/settings/user/email",
    ] {
        let refused = app
            .raw(
                "POST",
                uri,
                &[
                    ("host", HOST),
                    ("sec-fetch-site", "cross-site"),
                    ("cookie", cookie.as_str()),
                ],
                Bytes::from("name=Evil&new_email=evil%40evil.example"),
            )
            .await;
        assert_eq!(refused.status, 403, "{uri}");
    }
    // Profile: errors next to the field, then saved.
    let bad = page(
        &app,
        "POST",
        "/settings/user",
        Some(&cookie),
        "name=&phone=12",
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("id=\"name-error\""), "{}", bad.text);
    assert!(bad.text.contains("id=\"phone-error\""));
    let saved = page(
        &app,
        "POST",
        "/settings/user",
        Some(&cookie),
        "name=Pia+Rose&phone=",
    )
    .await;
    assert_eq!(
        saved.header("location"),
        Some("/settings/user?saved=profile")
    );
    let settings = page(
        &app,
        "GET",
        "/settings/user?saved=profile",
        Some(&cookie),
        "",
    )
    .await;
    assert!(settings.text.contains("value=\"Pia Rose\""));
    assert!(!settings.text.contains("value=\"+33612345678\""));
    assert!(settings.text.contains("id=\"settings-notice\""));

    // Password: the current one is needed; the other sessions end, this one stays.
    let other = cookie_of(
        &page(
            &app,
            "POST",
            "/login",
            None,
            &credentials("pia@bloom.example", PASSWORD),
        )
        .await,
    );
    let change =
        |current: &str, new: &str| encoded(&[("current_password", current), ("new_password", new)]);
    let wrong = page(
        &app,
        "POST",
        "/settings/user/password",
        Some(&cookie),
        &change("not it at all", NEW_PASSWORD),
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.text.contains("id=\"current_password-error\""),
        "{}",
        wrong.text
    );
    let short = page(
        &app,
        "POST",
        "/settings/user/password",
        Some(&cookie),
        &change(PASSWORD, "short"),
    )
    .await;
    assert_eq!(short.status, 422);
    assert!(short.text.contains("id=\"new_password-error\""));
    let changed = page(
        &app,
        "POST",
        "/settings/user/password",
        Some(&cookie),
        &change(PASSWORD, NEW_PASSWORD),
    )
    .await;
    assert_eq!(
        changed.header("location"),
        Some("/settings/user?saved=password"),
        "{}",
        changed.text
    );
    assert!(opens(&app, &cookie).await);
    assert!(!opens(&app, &other).await);
    assert_eq!(signs_in(&app, "pia@bloom.example", PASSWORD).await, 401);

    // Login email: not another account's, not without the password, then only once confirmed.
    let ask =
        |email: &str, password: &str| encoded(&[("new_email", email), ("password", password)]);
    let taken = page(
        &app,
        "POST",
        "/settings/user/email",
        Some(&cookie),
        &ask("OPS@thorn.example", NEW_PASSWORD),
    )
    .await;
    assert_eq!(taken.status, 409);
    assert!(
        text_of(&taken, "new_email-error").contains("Another account"),
        "{}",
        taken.text
    );
    let invalid = page(
        &app,
        "POST",
        "/settings/user/email",
        Some(&cookie),
        &ask("nope", NEW_PASSWORD),
    )
    .await;
    assert_eq!(invalid.status, 422);
    assert!(invalid.text.contains("id=\"new_email-error\""));
    let wrong = page(
        &app,
        "POST",
        "/settings/user/email",
        Some(&cookie),
        &ask("pia@rose.example", "not it at all"),
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.text.contains("id=\"email_password-error\""),
        "{}",
        wrong.text
    );
    let asked = page(
        &app,
        "POST",
        "/settings/user/email",
        Some(&cookie),
        &ask("pia@rose.example", NEW_PASSWORD),
    )
    .await;
    assert_eq!(
        asked.header("location"),
        Some("/settings/user?saved=email"),
        "{}",
        asked.text
    );
    let pending = page(&app, "GET", "/settings/user", Some(&cookie), "").await;
    assert!(pending.text.contains("id=\"pending-email\""));
    let text = app.last_email_to("pia@rose.example").text;
    let link = format!(
        "/login-email/{}",
        portal_tests::token_in(&text, "/login-email/", "\n")
    );
    // Not confirmed yet: still the old email.
    assert_eq!(signs_in(&app, "pia@rose.example", NEW_PASSWORD).await, 401);
    for _ in 0..2 {
        let form = page(&app, "GET", &link, None, "").await;
        assert_eq!(form.status, 200);
        assert!(form.text.contains("pia@rose.example"));
    }
    let refused = app
        .raw(
            "POST",
            &link,
            &[("host", HOST), ("origin", "https://evil.example")],
            Bytes::new(),
        )
        .await;
    assert_eq!(refused.status, 403);
    let confirmed = page(&app, "POST", &link, Some(&cookie), "").await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(page(&app, "POST", &link, None, "").await.status, 410);
    assert_eq!(signs_in(&app, "pia@rose.example", NEW_PASSWORD).await, 303);
    assert_eq!(signs_in(&app, "pia@bloom.example", NEW_PASSWORD).await, 401);
    // The session stays; the settings show the new email; the old email is free again.
    let settings = page(&app, "GET", "/settings/user", Some(&cookie), "").await;
    assert!(settings
        .text
        .contains("id=\"login-email\">pia@rose.example</strong>"));
    assert!(!settings.text.contains("id=\"pending-email\""));
    // A reset link goes to the new email.
    reset_link(&app, "pia@rose.example").await;
}

async fn two_confirmations_for_one_email_keep_it_unique(app: TestApp) {
    let (_, _, pia) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (_, _, ops) = signed_up(&app, "Thorn", "ops@thorn.example").await;
    let ask = encoded(&[
        ("new_email", "shared@flowers.example"),
        ("password", PASSWORD),
    ]);
    for cookie in [&pia, &ops] {
        let asked = page(&app, "POST", "/settings/user/email", Some(cookie), &ask).await;
        assert_eq!(asked.status, 303, "{}", asked.text);
    }
    let links: Vec<String> = app
        .emails()
        .into_iter()
        .filter(|e| e.to.as_str() == "shared@flowers.example")
        .map(|e| {
            format!(
                "/login-email/{}",
                portal_tests::token_in(&e.text, "/login-email/", "\n")
            )
        })
        .collect();
    assert_eq!(links.len(), 2);
    assert_eq!(page(&app, "POST", &links[0], None, "").await.status, 200);
    let second = page(&app, "POST", &links[1], None, "").await;
    assert_eq!(second.status, 410, "{}", second.text);
    assert!(
        second
            .text
            .contains("nother account signs in with this email"),
        "{}",
        second.text
    );
    assert_eq!(
        signs_in(&app, "shared@flowers.example", PASSWORD).await,
        303
    );
    assert_eq!(signs_in(&app, "ops@thorn.example", PASSWORD).await, 303);
}

async fn a_new_couriers_user_sets_a_password_and_signs_in(app: TestApp) {
    let created = portal::api::couriers::create_courier_with_user(
        app.ctx(),
        "Swift Couriers",
        "dispatch@swift.example",
        "Europe/Paris",
        "http://127.0.0.1:3000",
    )
    .await
    .unwrap();
    assert!(created.emailed);
    let email = app.last_email_to("dispatch@swift.example");
    assert!(email.text.contains(&created.set_password_link));
    let link = created
        .set_password_link
        .trim_start_matches("http://127.0.0.1:3000")
        .to_string();
    // No password yet: nothing signs in.
    assert_eq!(signs_in(&app, "dispatch@swift.example", "").await, 401);
    let form = page(&app, "GET", &link, None, "").await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("Set your password"));
    let set = page(
        &app,
        "POST",
        &link,
        None,
        &encoded(&[("password", PASSWORD)]),
    )
    .await;
    assert_eq!(set.status, 303, "{}", set.text);
    let cookie = cookie_of(&set);
    // The courier's orders across its clients.
    let courier = portal_tests::Org {
        id: created.courier.id.to_string(),
        key: created.key.secret.clone(),
    };
    let client = app
        .onboard_client(&courier, "Bloom", "pia@bloom.example")
        .await;
    let order = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"}, "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let orders = page(&app, "GET", "/orders", Some(&cookie), "").await;
    assert_eq!(orders.status, 200, "{}", orders.text);
    assert!(orders.text.contains("Marie Curie"));
    let id = order.body["id"].as_str().unwrap();
    assert_eq!(
        page(&app, "GET", &format!("/orders/{id}"), Some(&cookie), "")
            .await
            .status,
        200
    );
    for uri in ["/settings/user", "/"] {
        let status = page(&app, "GET", uri, Some(&cookie), "").await.status;
        assert!([200, 303].contains(&status), "{uri}: {status}");
    }
    // The order form is a client's: a courier's person finds nothing there.
    let form = page(&app, "GET", "/orders/new", Some(&cookie), "").await;
    assert_eq!(form.status, 404, "{}", form.text);
    assert_eq!(
        signs_in(&app, "dispatch@swift.example", PASSWORD).await,
        303
    );
    // A second courier with the same email: refused before anything is written.
    let again = portal::api::couriers::create_courier_with_user(
        app.ctx(),
        "Swift Again",
        "DISPATCH@swift.example",
        "UTC",
        "http://127.0.0.1:3000",
    )
    .await;
    assert!(again.is_err());
}

async fn a_deleted_clients_users_get_no_reset_and_no_session(app: TestApp) {
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let link = reset_link(&app, "pia@bloom.example").await;
    let deleted = app
        .call(
            "DELETE",
            &format!("/v1/clients/{client}"),
            Some(&courier.key),
            None,
        )
        .await;
    assert!((200..300).contains(&deleted.status), "{}", deleted.text);
    assert!(!opens(&app, &cookie).await);
    // The link no longer signs anyone in; a new request sends nothing (the same answer).
    let used = page(
        &app,
        "POST",
        &link,
        None,
        &encoded(&[("password", NEW_PASSWORD)]),
    )
    .await;
    assert_eq!(used.status, 410, "{}", used.text);
    assert!(used.header("set-cookie").is_none());
    let before = app.emails().len();
    let asked = page(
        &app,
        "POST",
        "/forgot-password",
        None,
        "email=pia%40bloom.example",
    )
    .await;
    assert_eq!(asked.status, 200);
    assert_eq!(app.emails().len(), before);
    assert_eq!(signs_in(&app, "pia@bloom.example", PASSWORD).await, 401);
}

on_both_backends!(
    forgot_password_link_works_once_and_ends_every_session,
    reset_requests_are_limited,
    forgot_password_answers_in_the_same_time_known_or_not,
    user_settings_round_trip,
    two_confirmations_for_one_email_keep_it_unique,
    a_new_couriers_user_sets_a_password_and_signs_in,
    a_deleted_clients_users_get_no_reset_and_no_session,
);
