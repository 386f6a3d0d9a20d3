//! The web portal's sessions on both stores: the invitation page creates the first user and
//! signs in; cross-site form posts are refused; a cookie stops working at sign-out; sign-in
//! attempts are limited; the same answer for an unknown email and a wrong password; another
//! client's order answers 404; a deleted client's users cannot sign in.

use bytes::Bytes;
use portal_tests::{on_both_backends, TestApp, TestResponse};
use serde_json::json;

pub(crate) const HOST: &str = "127.0.0.1:3000";
pub(crate) const PASSWORD: &str = "a long passphrase";

/// The portal's own origin, as the pages compare it.
fn origin(app: &TestApp) -> String {
    let req = portal::http::ApiRequest {
        base_url: Some(format!("http://{HOST}")),
        ..Default::default()
    };
    app.ctx().base_url(&req)
}

pub(crate) async fn page(
    app: &TestApp,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: &str,
) -> TestResponse {
    let origin = origin(app);
    let mut headers = vec![("host", HOST), ("origin", origin.as_str())];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    app.raw(method, uri, &headers, Bytes::from(form.to_string()))
        .await
}

pub(crate) fn cookie_of(response: &TestResponse) -> String {
    let set = response
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("__Host-session="))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("a session cookie: {} {}", response.status, response.text));
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}: {attribute}");
    }
    set.split(';').next().unwrap().to_string()
}

/// A courier and an invited client whose first user set a password on the invitation page.
pub(crate) async fn signed_up(
    app: &TestApp,
    name: &str,
    email: &str,
) -> (portal_tests::Org, String, String) {
    let courier = app.create_courier(&format!("{name} Couriers")).await;
    let client = app.create_client(&courier, name, email).await;
    app.invite(&courier, &client).await;
    let text = app.last_email_to(email).text;
    let token = portal_tests::token_in(&text, "/invitations/", "\n");
    let uri = format!("/invitations/{token}");
    // Reading the page twice never uses the token.
    for _ in 0..2 {
        let form = page(app, "GET", &uri, None, "").await;
        assert_eq!(form.status, 200, "{}", form.text);
        assert!(form.text.contains(email));
    }
    let short = page(app, "POST", &uri, None, "name=Pia&password=short").await;
    assert_eq!(short.status, 422);
    assert!(
        short.text.contains("id=\"password-error\""),
        "{}",
        short.text
    );
    let accepted = page(
        app,
        "POST",
        &uri,
        None,
        &format!(
            "name=Pia+Bloom&phone=%2B33612345678&password={}",
            PASSWORD.replace(' ', "+")
        ),
    )
    .await;
    assert_eq!(accepted.status, 303, "{}", accepted.text);
    assert_eq!(accepted.header("location"), Some("/orders"));
    let cookie = cookie_of(&accepted);
    // The client is active; the token is used.
    let again = page(app, "GET", &uri, None, "").await;
    assert_eq!(again.status, 410);
    let got = app
        .get(&format!("/v1/clients/{client}"), &courier.key)
        .await;
    assert_eq!(got.body["status"], "active", "{}", got.text);
    (courier, client, cookie)
}

pub(crate) fn credentials(email: &str, password: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .append_pair("password", password)
        .finish()
}

async fn invitation_signs_in_and_sign_out_ends_the_session(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let orders = page(&app, "GET", "/orders", Some(&cookie), "").await;
    assert_eq!(orders.status, 200, "{}", orders.text);
    assert!(orders.text.contains("No orders yet"));
    // Signed out: the server forgets the session; the old cookie no longer opens a page.
    let out = page(&app, "POST", "/logout", Some(&cookie), "").await;
    assert_eq!(out.status, 303);
    let after = page(&app, "GET", "/orders", Some(&cookie), "").await;
    assert_eq!(
        (after.status, after.header("location")),
        (303, Some("/login"))
    );
    // Signing in again gives a new session id.
    let signed_in = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("PIA@bloom.example", PASSWORD),
    )
    .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    let fresh = cookie_of(&signed_in);
    assert_ne!(fresh, cookie);
    assert_eq!(
        page(&app, "GET", "/orders", Some(&fresh), "").await.status,
        200
    );
    // Without a session: to the sign-in page.
    let home = page(&app, "GET", "/", None, "").await;
    assert_eq!(
        (home.status, home.header("location")),
        (303, Some("/login"))
    );
}

async fn cross_site_posts_are_refused(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let body = Bytes::from(credentials("pia@bloom.example", PASSWORD));
    for headers in [
        vec![("host", HOST), ("origin", "https://evil.example")],
        vec![
            ("host", HOST),
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        vec![("host", HOST), ("sec-fetch-site", "same-site")],
        vec![("host", HOST)],
    ] {
        let refused = app.raw("POST", "/login", &headers, body.clone()).await;
        assert_eq!(refused.status, 403, "{headers:?}");
        assert!(refused.header("set-cookie").is_none());
    }
    // A cross-site sign-out does not end the session.
    let cookie_header = [
        ("host", HOST),
        ("origin", "https://evil.example"),
        ("cookie", cookie.as_str()),
    ];
    let refused = app
        .raw("POST", "/logout", &cookie_header, Bytes::new())
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        page(&app, "GET", "/orders", Some(&cookie), "").await.status,
        200
    );
    // Fetch Metadata from the portal itself is accepted.
    let same = app
        .raw(
            "POST",
            "/login",
            &[("host", HOST), ("sec-fetch-site", "same-origin")],
            body,
        )
        .await;
    assert_eq!(same.status, 303, "{}", same.text);
}

async fn sign_in_is_limited_and_answers_alike(app: TestApp) {
    app.at_the_start_of_a_window();
    signed_up(&app, "Bloom", "pia@bloom.example").await;
    let unknown = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("nobody@bloom.example", PASSWORD),
    )
    .await;
    let wrong = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("pia@bloom.example", "not the password"),
    )
    .await;
    assert_eq!((unknown.status, wrong.status), (401, 401));
    let message = |r: &TestResponse| {
        r.text
            .split("id=\"login-error\">")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(message(&unknown), message(&wrong));
    assert!(!message(&wrong).is_empty());
    // 10 attempts on an account from one address in the window; one was used above: the
    // 11th is refused even with the right password.
    for _ in 0..9 {
        let r = page(
            &app,
            "POST",
            "/login",
            None,
            &credentials("pia@bloom.example", "guess guess guess"),
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let limited = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("pia@bloom.example", PASSWORD),
    )
    .await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert!(limited.text.contains("Too many sign-in attempts"));
    // The window passes.
    app.clock.advance(chrono::Duration::minutes(16));
    let later = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("pia@bloom.example", PASSWORD),
    )
    .await;
    assert_eq!(later.status, 303, "{}", later.text);
}

/// One sign-in attempt from `address`, as the page makes it.
async fn attempt_from(
    app: &TestApp,
    email: &str,
    password: &str,
    address: &str,
) -> Result<String, portal::accounts::sign_in::SignInError> {
    portal::accounts::sign_in::sign_in(
        app.ctx(),
        portal::accounts::sign_in::SignIn {
            email: email.into(),
            password: password.into(),
            address: Some(address.into()),
        },
    )
    .await
}

async fn an_attacker_cannot_lock_the_owner_out(app: TestApp) {
    app.at_the_start_of_a_window();
    use portal::accounts::sign_in::SignInError;
    signed_up(&app, "Bloom", "pia@bloom.example").await;
    const ATTACKER: &str = "203.0.113.66";
    for _ in 0..10 {
        let refused = attempt_from(&app, "pia@bloom.example", "guess guess guess", ATTACKER).await;
        assert!(matches!(refused, Err(SignInError::Refused)), "{refused:?}");
    }
    // The attacker's address is limited on this account, even with the right password…
    let limited = attempt_from(&app, "pia@bloom.example", PASSWORD, ATTACKER).await;
    assert!(
        matches!(limited, Err(SignInError::Throttled)),
        "{limited:?}"
    );
    // …while the owner, from her own address, still signs in.
    let owner = attempt_from(&app, "pia@bloom.example", PASSWORD, "198.51.100.7").await;
    assert!(owner.is_ok(), "{owner:?}");
}

async fn sign_in_limits_each_address_across_accounts_and_each_account_globally(app: TestApp) {
    app.at_the_start_of_a_window();
    use portal::accounts::throttle::{count_attempt, AttemptError};
    let ctx = app.ctx();
    // One address guessing across accounts: 50 in the window, whichever the accounts.
    for i in 0..50 {
        let counted =
            count_attempt(ctx, &format!("user{i}@bloom.example"), Some("203.0.113.66")).await;
        assert!(counted.is_ok(), "attempt {i}: {counted:?}");
    }
    let limited = count_attempt(ctx, "another@bloom.example", Some("203.0.113.66")).await;
    assert!(
        matches!(limited, Err(AttemptError::Throttled)),
        "{limited:?}"
    );
    // Another address is not limited by it.
    assert!(
        count_attempt(ctx, "another@bloom.example", Some("198.51.100.7"))
            .await
            .is_ok()
    );
    // One account guessed from many addresses: 10 per address, 300 in all.
    for i in 0..300 {
        let address = format!("192.0.2.{}", i / 10);
        let counted = count_attempt(ctx, "pia@bloom.example", Some(&address)).await;
        assert!(counted.is_ok(), "attempt {i}: {counted:?}");
    }
    let ceiling = count_attempt(ctx, "pia@bloom.example", Some("198.51.100.7")).await;
    assert!(
        matches!(ceiling, Err(AttemptError::Throttled)),
        "{ceiling:?}"
    );
}

async fn sessions_time_out(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(
        page(&app, "GET", "/orders", Some(&cookie), "").await.status,
        200
    );
    // Moved on by the last request: 20 more minutes are within the idle time-out.
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(
        page(&app, "GET", "/orders", Some(&cookie), "").await.status,
        200
    );
    app.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(
        page(&app, "GET", "/orders", Some(&cookie), "").await.status,
        303
    );
}

async fn tenants_stay_apart_and_deleted_clients_cannot_sign_in(app: TestApp) {
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let other = app
        .onboard_client(&courier, "Thorn", "ops@thorn.example")
        .await;
    let order = app
        .post(
            "/v1/orders",
            &other.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"}, "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let id = order.body["id"].as_str().unwrap();
    let theirs = page(&app, "GET", &format!("/orders/{id}"), Some(&cookie), "").await;
    assert_eq!(theirs.status, 404);
    assert!(!theirs.text.contains("Marie Curie"));
    let deleted = app
        .call(
            "DELETE",
            &format!("/v1/clients/{client}"),
            Some(&courier.key),
            None,
        )
        .await;
    assert!((200..300).contains(&deleted.status), "{}", deleted.text);
    assert_eq!(
        page(&app, "GET", "/orders", Some(&cookie), "").await.status,
        303
    );
    let refused = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("pia@bloom.example", PASSWORD),
    )
    .await;
    assert_eq!(refused.status, 401);
}

on_both_backends!(
    invitation_signs_in_and_sign_out_ends_the_session,
    cross_site_posts_are_refused,
    sign_in_is_limited_and_answers_alike,
    an_attacker_cannot_lock_the_owner_out,
    sign_in_limits_each_address_across_accounts_and_each_account_globally,
    sessions_time_out,
    tenants_stay_apart_and_deleted_clients_cannot_sign_in,
);
