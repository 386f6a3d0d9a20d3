//! Teammates: an admin invites people (`/v1/users`), who choose a password from the emailed
//! link and sign in; the people are listed, a role changes (and reaches the person's open
//! sessions), a removed person's session ends at their next request; the last admin cannot
//! be removed or demoted, even by two admins at once; a member's session may not manage
//! people, keys, integrations or settings (API use cases and settings pages: 403); another organisation's people are not found;
//! a login email is taken once across the portal.

use bytes::Bytes;
use portal::domain::user::TeamRole;
use portal_tests::{on_both_backends, token_in, Org, TestApp, TestResponse};
use serde_json::json;

use crate::web_sessions::{cookie_of, credentials, page};

on_both_backends!(
    an_invited_person_sets_a_password_signs_in_and_is_listed,
    a_removed_person_is_signed_out_at_the_next_request,
    a_change_of_role_reaches_open_sessions,
    the_last_admin_is_neither_removed_nor_demoted,
    two_admins_demoting_each_other_leave_one,
    a_member_may_not_manage_people_keys_integrations_or_settings,
    another_organisations_people_are_not_found,
    a_login_email_is_taken_once,
);

pub(crate) const PASSWORD: &str = "a teammate passphrase";

async fn invite(app: &TestApp, org: &Org, email: &str, role: &str) -> TestResponse {
    app.post(
        "/v1/users",
        &org.key,
        json!({"email": email, "name": "Sam Teammate", "role": role}),
    )
    .await
}

/// Invites the person, sets their password from the emailed link: their id and cookie.
pub(crate) async fn joined(app: &TestApp, org: &Org, email: &str, role: &str) -> (String, String) {
    let invited = invite(app, org, email, role).await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let mail = app.last_email_to(email);
    assert!(!mail.text.contains("/v1/"), "{}", mail.text);
    let link = format!(
        "/reset-password/{}",
        token_in(&mail.text, "/reset-password/", "\n")
    );
    let form = format!("password={}", PASSWORD.replace(' ', "+"));
    let set = page(app, "POST", &link, None, &form).await;
    assert_eq!(set.status, 303, "{}", set.text);
    // The link is used once.
    let again = page(app, "POST", &link, None, &form).await;
    assert_eq!(again.status, 410, "{}", again.text);
    (
        invited.body["id"].as_str().unwrap().to_string(),
        cookie_of(&set),
    )
}

async fn patch(app: &TestApp, org: &Org, user_id: &str, role: &str) -> TestResponse {
    app.call(
        "PATCH",
        &format!("/v1/users/{user_id}"),
        Some(&org.key),
        Some(json!({ "role": role })),
    )
    .await
}

async fn delete(app: &TestApp, org: &Org, user_id: &str) -> TestResponse {
    app.call(
        "DELETE",
        &format!("/v1/users/{user_id}"),
        Some(&org.key),
        None,
    )
    .await
}

async fn an_invited_person_sets_a_password_signs_in_and_is_listed(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let invited = invite(&app, &courier, "sam@swift.example", "member").await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    assert_eq!(
        (&invited.body["role"], &invited.body["status"]),
        (&json!("member"), &json!("invited"))
    );
    let mail = app.last_email_to("sam@swift.example");
    assert!(mail.text.contains("Swift Couriers"), "{}", mail.text);
    assert!(mail.text.contains("works once"), "{}", mail.text);
    let listed = app.get("/v1/users", &courier.key).await;
    assert_eq!(
        listed.body["items"][0]["status"], "invited",
        "{}",
        listed.text
    );

    let link = format!(
        "/reset-password/{}",
        token_in(&mail.text, "/reset-password/", "\n")
    );
    let form = format!("password={}", PASSWORD.replace(' ', "+"));
    let set = page(&app, "POST", &link, None, &form).await;
    assert_eq!(set.status, 303, "{}", set.text);
    let orders = page(&app, "GET", "/orders", Some(&cookie_of(&set)), "").await;
    assert_eq!(orders.status, 200, "{}", orders.text);
    let signed_in = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("sam@swift.example", PASSWORD),
    )
    .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);

    let listed = app.get("/v1/users", &courier.key).await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", listed.text);
    assert_eq!(
        (&items[0]["email"], &items[0]["role"], &items[0]["status"]),
        (
            &json!("sam@swift.example"),
            &json!("member"),
            &json!("active")
        )
    );
}

async fn a_removed_person_is_signed_out_at_the_next_request(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let (_, _) = joined(&app, &courier, "ana@swift.example", "admin").await;
    let (sam, cookie) = joined(&app, &courier, "sam@swift.example", "member").await;
    assert_eq!(
        page(&app, "GET", "/orders", Some(&cookie), "").await.status,
        200
    );
    let removed = delete(&app, &courier, &sam).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    let after = page(&app, "GET", "/orders", Some(&cookie), "").await;
    assert_eq!(
        (after.status, after.header("location")),
        (303, Some("/login"))
    );
    // Gone: not listed, cannot sign in, and the email can be invited again.
    let listed = app.get("/v1/users", &courier.key).await;
    assert!(
        !listed.text.contains("sam@swift.example"),
        "{}",
        listed.text
    );
    let refused = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("sam@swift.example", PASSWORD),
    )
    .await;
    assert_ne!(refused.status, 303);
    assert_eq!(delete(&app, &courier, &sam).await.status, 404);
    assert_eq!(
        invite(&app, &courier, "sam@swift.example", "member")
            .await
            .status,
        201
    );
}

async fn a_change_of_role_reaches_open_sessions(app: TestApp) {
    let client = {
        let courier = app.create_courier("Swift Couriers").await;
        app.onboard_client(&courier, "Bloom", "orders@bloom.example")
            .await
    };
    joined(&app, &client, "ana@bloom.example", "admin").await;
    let (sam, cookie) = joined(&app, &client, "sam@bloom.example", "admin").await;
    let role_of = |cookie: String| {
        let ctx = app.ctx();
        async move {
            let mut headers = http::HeaderMap::new();
            headers.insert("cookie", cookie.parse().unwrap());
            portal::accounts::session::resolve(ctx, &headers)
                .await
                .unwrap()
                .expect("signed in")
                .team_role
        }
    };
    assert_eq!(role_of(cookie.clone()).await, TeamRole::Admin);
    let changed = patch(&app, &client, &sam, "member").await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["role"], "member");
    assert_eq!(role_of(cookie.clone()).await, TeamRole::Member);
    let bad = patch(&app, &client, &sam, "owner").await;
    assert_eq!(bad.status, 422, "{}", bad.text);
}

async fn the_last_admin_is_neither_removed_nor_demoted(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let (ana, _) = joined(&app, &courier, "ana@swift.example", "admin").await;
    let demoted = patch(&app, &courier, &ana, "member").await;
    assert_eq!(
        (demoted.status, demoted.error_code()),
        (409, "last_admin"),
        "{}",
        demoted.text
    );
    let removed = delete(&app, &courier, &ana).await;
    assert_eq!((removed.status, removed.error_code()), (409, "last_admin"));
    // With a second admin, the first may go.
    let (ben, _) = joined(&app, &courier, "ben@swift.example", "admin").await;
    assert_eq!(delete(&app, &courier, &ana).await.status, 204);
    assert_eq!(
        patch(&app, &courier, &ben, "member").await.error_code(),
        "last_admin"
    );
}

async fn two_admins_demoting_each_other_leave_one(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let (ana, _) = joined(&app, &courier, "ana@swift.example", "admin").await;
    let (ben, _) = joined(&app, &courier, "ben@swift.example", "admin").await;
    let (first, second) = tokio::join!(
        patch(&app, &courier, &ana, "member"),
        delete(&app, &courier, &ben)
    );
    let mut outcomes = [first.status, second.status];
    outcomes.sort();
    assert!(
        outcomes == [200, 409] || outcomes == [204, 409],
        "{} {}",
        first.text,
        second.text
    );
    let listed = app.get("/v1/users", &courier.key).await;
    let admins = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["role"] == "admin")
        .count();
    assert_eq!(admins, 1, "{}", listed.text);
}

/// A member's session on an API route (the local portal's API takes keys; the pages run
/// the same use cases with the session's principal, which this stands for).
async fn as_member(
    app: &TestApp,
    cookie: &str,
    function: &str,
    body: Option<serde_json::Value>,
) -> TestResponse {
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    let principal = portal::accounts::session::resolve(app.ctx(), &headers)
        .await
        .unwrap()
        .expect("signed in");
    assert_eq!(principal.team_role, TeamRole::Member);
    let request = portal::http::ApiRequest {
        method: "POST".into(),
        body: body.map(|b| Bytes::from(b.to_string())).unwrap_or_default(),
        auth: Some(Ok(principal)),
        ..Default::default()
    };
    let function = portal_local::functions::http_function(function).expect("registered");
    TestResponse::from((function.handler)(app.app.ctx_for(function), request).await)
}

async fn a_member_may_not_manage_people_keys_integrations_or_settings(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let (_, cookie) = joined(&app, &client, "sam@bloom.example", "member").await;
    for (function, body) in [
        ("list-users", None),
        (
            "create-user",
            Some(json!({"email": "x@bloom.example", "name": "X", "role": "admin"})),
        ),
        ("list-api-keys", None),
        ("create-api-key", Some(json!({}))),
        ("list-integrations", None),
        ("get-organization-settings", None),
        ("get-notification-settings", None),
        ("get-tracking-page-settings", None),
    ] {
        let answer = as_member(&app, &cookie, function, body).await;
        assert_eq!(
            (answer.status, answer.error_code()),
            (403, "forbidden"),
            "{function}: {}",
            answer.text
        );
    }
    // Orders stay the member's to use.
    let orders = as_member(&app, &cookie, "list-orders", None).await;
    assert_eq!(orders.status, 200, "{}", orders.text);
    // The pages: the organisation's settings, API keys and integrations are admins' only;
    // the member's own account and the orders are theirs.
    for (method, uri, form, status) in [
        ("GET", "/settings/organization", "", 403),
        ("GET", "/settings/communications", "", 403),
        ("GET", "/settings/tracking-page", "", 403),
        ("GET", "/settings/api", "", 403),
        ("POST", "/settings/api/keys", "label=Shop", 403),
        ("POST", "/settings/organization", "name=Mine", 403),
        ("GET", "/settings/user", "", 200),
        ("GET", "/orders", "", 200),
    ] {
        let answer = page(&app, method, uri, Some(&cookie), form).await;
        assert_eq!(answer.status, status, "{method} {uri}: {}", answer.text);
        if status == 403 {
            assert!(answer.text.contains("Admins only"), "{}", answer.text);
        }
    }
    let listed = app.get("/v1/api-keys", &client.key).await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "no key was made"
    );
}

async fn another_organisations_people_are_not_found(app: TestApp) {
    let swift = app.create_courier("Swift Couriers").await;
    let rival = app.create_courier("Rival Riders").await;
    let (sam, _) = joined(&app, &swift, "sam@swift.example", "admin").await;
    joined(&app, &swift, "ana@swift.example", "admin").await;
    assert_eq!(patch(&app, &rival, &sam, "member").await.status, 404);
    assert_eq!(delete(&app, &rival, &sam).await.status, 404);
    let theirs = app.get("/v1/users", &rival.key).await;
    assert_eq!(theirs.body["items"], json!([]), "{}", theirs.text);
    // A client's key sees its own people only, not its courier's.
    let client = app
        .onboard_client(&swift, "Bloom", "orders@bloom.example")
        .await;
    assert_eq!(delete(&app, &client, &sam).await.status, 404);
    assert_eq!(
        app.get("/v1/users", &client.key).await.body["items"],
        json!([])
    );
}

async fn a_login_email_is_taken_once(app: TestApp) {
    let swift = app.create_courier("Swift Couriers").await;
    let rival = app.create_courier("Rival Riders").await;
    assert_eq!(
        invite(&app, &swift, "sam@swift.example", "member")
            .await
            .status,
        201
    );
    for org in [&swift, &rival] {
        let again = invite(&app, org, "SAM@swift.example", "admin").await;
        assert_eq!(
            (again.status, again.error_code()),
            (409, "email_taken"),
            "{}",
            again.text
        );
    }
}
