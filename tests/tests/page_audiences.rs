//! Every page and form of the portal, read from the OpenAPI document's `web` operations (not
//! a hand-kept list), says who it is for (`x-audience`), and answers every wrong reader as
//! the document says, on both stores: without a session a page sends to `/login`; a client's
//! person gets 404 on a courier's page and a courier's person 404 on a client's; a member gets
//! 403 on an admin's page; a form posted from another site gets 403; another organisation's
//! object (an order, a team, a person, a key…, in the path) answers 404 with nothing of it in
//! the page (a form sent empty may be refused for its fields first, 422, without reading the
//! object); the session of a person since removed, and one past its idle time, send to
//! `/login` like none. A new page without an audience fails here.

use std::collections::BTreeMap;

use bytes::Bytes;
use portal_local::openapi::document;
use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::team::joined;
use crate::web_sessions::{page, HOST};

on_both_backends!(every_page_answers_the_wrong_reader_as_documented);

const AUDIENCES: [&str; 6] = [
    "public",
    "signed-in",
    "client",
    "courier",
    "admin",
    "client-admin",
];

/// The portal's pages and forms: method, path template, audience.
fn web_operations() -> Vec<(String, String, String)> {
    let doc = document();
    let mut found = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let is_web = op["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == "web"));
            if !is_web {
                continue;
            }
            let audience = op["x-audience"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: a web operation says its x-audience"));
            assert!(
                AUDIENCES.contains(&audience),
                "{method} {path}: unknown audience {audience}"
            );
            found.push((method.to_uppercase(), path.clone(), audience.to_string()));
        }
    }
    assert!(found.len() > 40, "the web operations are read");
    found
}

/// One organisation's people: an admin and a member, signed in.
struct People {
    admin: String,
    member: String,
}

async fn people(app: &TestApp, org: &Org, domain: &str) -> People {
    let (_, admin) = joined(app, org, &format!("ana@{domain}"), "admin").await;
    let (_, member) = joined(app, org, &format!("sam@{domain}"), "member").await;
    People { admin, member }
}

/// A cross-site form post with the session.
async fn cross_site(app: &TestApp, uri: &str, cookie: &str) -> TestResponse {
    let headers = [
        ("host", HOST),
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("cookie", cookie),
    ];
    app.raw("POST", uri, &headers, Bytes::new()).await
}

/// Alpha's objects, by the path parameter that names them (ids well formed but unknown for
/// those the test does not create).
async fn alpha_objects(
    app: &TestApp,
    courier: &Org,
    client: &Org,
) -> BTreeMap<&'static str, String> {
    let order = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Alpha Street", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "2 Alpha Avenue", "city": "Paris"},
                            "recipient": {"name": "Alpha Recipient", "phone": "+33612345678"}}
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let team = app.create_team(courier, "Alpha Team").await;
    let key = app
        .post("/v1/api-keys", &client.key, json!({"label": "Alpha key"}))
        .await;
    assert_eq!(key.status, 201, "{}", key.text);
    let users = app.get("/v1/users", &courier.key).await;
    let user = users.body["items"][0]["id"].as_str().unwrap().to_string();
    let str_of = |v: &Value| v.as_str().unwrap().to_string();
    BTreeMap::from([
        ("orderId", str_of(&order.body["id"])),
        ("taskId", str_of(&order.body["dropoff"]["id"])),
        ("teamId", team),
        ("keyId", str_of(&key.body["id"])),
        ("userId", user),
        ("clientId", client.id.clone()),
        ("integrationId", "int_01J0000000000000000000000A".into()),
        ("deliveryId", "dlv_01J0000000000000000000000A".into()),
        ("serviceId", "svc_01J0000000000000000000000A".into()),
        ("rateTableId", "rt_01J0000000000000000000000A".into()),
    ])
}

/// `template` with each `{param}` replaced by Alpha's object of that name; `None` for a
/// path whose parameter is not an object (a link's token, a static file).
fn filled(template: &str, objects: &BTreeMap<&str, String>) -> Option<String> {
    let mut path = String::new();
    for (i, part) in template.split('{').enumerate() {
        if i == 0 {
            path.push_str(part);
            continue;
        }
        let (name, rest) = part.split_once('}').unwrap();
        path.push_str(objects.get(name)?);
        path.push_str(rest);
    }
    Some(path)
}

async fn every_page_answers_the_wrong_reader_as_documented(app: TestApp) {
    let alpha = app.create_courier("Alpha Couriers").await;
    let alpha_client = app
        .onboard_client(&alpha, "Alpha Florist", "orders@alpha-florist.example")
        .await;
    let alpha_people = people(&app, &alpha, "alpha.example").await;
    let beta = app.create_courier("Beta Couriers").await;
    let beta_client = app
        .onboard_client(&beta, "Beta Florist", "orders@beta-florist.example")
        .await;
    let courier = people(&app, &beta, "beta.example").await;
    let client = people(&app, &beta_client, "beta-florist.example").await;
    let objects = alpha_objects(&app, &alpha, &alpha_client).await;
    // What of Alpha's may never show in Beta's pages.
    let secrets = [
        "Alpha Recipient",
        "Alpha Team",
        "Alpha Florist",
        "alpha.example",
    ];

    let mut checked = 0;
    for (method, template, audience) in web_operations() {
        if audience == "public" {
            continue;
        }
        let Some(uri) = filled(&template, &objects) else {
            panic!("{method} {template}: a parameter the test does not know");
        };
        let call = |cookie: Option<String>| {
            let (app, method, uri) = (&app, method.clone(), uri.clone());
            async move { page(app, &method, &uri, cookie.as_deref(), "").await }
        };
        let what = format!("{method} {template} ({audience})");

        // No session: to sign in.
        let anonymous = call(None).await;
        assert_eq!(anonymous.status, 303, "{what}: {}", anonymous.text);
        assert_eq!(anonymous.header("location"), Some("/login"), "{what}");
        // Another site's form: refused, whoever is signed in.
        if method == "POST" {
            let refused = cross_site(&app, &uri, &courier.admin).await;
            assert_eq!(refused.status, 403, "{what} cross-site: {}", refused.text);
        }
        // The wrong kind of organisation: not found.
        let wrong_kind = match audience.as_str() {
            "client" | "client-admin" => Some(&courier.admin),
            "courier" => Some(&client.admin),
            _ => None,
        };
        if let Some(cookie) = wrong_kind {
            let answer = call(Some(cookie.clone())).await;
            assert_eq!(answer.status, 404, "{what} wrong kind: {}", answer.text);
        }
        // A member on an admin's page: 403.
        if audience == "admin" || audience == "client-admin" {
            let answer = call(Some(client.member.clone())).await;
            assert_eq!(answer.status, 403, "{what} member: {}", answer.text);
            assert!(answer.text.contains("Admins only"), "{what}");
            if audience == "admin" {
                let answer = call(Some(courier.member.clone())).await;
                assert_eq!(answer.status, 403, "{what} member: {}", answer.text);
            }
        }
        // Another organisation's object: not found, nothing of it shown.
        if template.contains('{') {
            let readers = match audience.as_str() {
                "client" | "client-admin" => vec![&client.admin],
                "courier" => vec![&courier.admin],
                _ => vec![&courier.admin, &client.admin],
            };
            for cookie in readers {
                let answer = call(Some(cookie.clone())).await;
                // A page: 404. A form (sent empty here) may be refused for its fields first
                // (422), never reaching the object; either way nothing of it is shown.
                let refused = answer.status == 404 || (method == "POST" && answer.status == 422);
                assert!(
                    refused,
                    "{what} another's: {} {}",
                    answer.status, answer.text
                );
                for secret in secrets {
                    assert!(!answer.text.contains(secret), "{what}: {secret} shown");
                }
            }
        }
        checked += 1;
    }
    assert!(checked > 30, "{checked} operations checked");

    // Alpha's own people still reach their objects (the ids above are real).
    let own = page(
        &app,
        "GET",
        &format!("/orders/{}", objects["orderId"]),
        Some(&alpha_people.admin),
        "",
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert!(own.text.contains("Alpha Recipient"));
    let _ = alpha_people.member;

    // The session of a person removed from their organisation, and a session past its idle
    // time: to sign in, on every page and form, as with none.
    let (removed_id, removed) = joined(&app, &beta, "rex@beta.example", "admin").await;
    let gone = app
        .call(
            "DELETE",
            &format!("/v1/users/{removed_id}"),
            Some(&beta.key),
            None,
        )
        .await;
    assert!(gone.status < 300, "{}", gone.text);
    let ended = |cookie: String| {
        let app = &app;
        let objects = &objects;
        async move {
            for (method, template, audience) in web_operations() {
                if audience == "public" {
                    continue;
                }
                let uri = filled(&template, objects).unwrap();
                let answer = page(app, &method, &uri, Some(&cookie), "").await;
                let what = format!("{method} {template}");
                assert_eq!(answer.status, 303, "{what}: {}", answer.text);
                assert_eq!(answer.header("location"), Some("/login"), "{what}");
            }
        }
    };
    ended(removed).await;
    app.clock.advance(chrono::Duration::minutes(
        portal::accounts::session::IDLE_MINUTES + 1,
    ));
    ended(courier.admin.clone()).await;
}
