//! Every API route × every wrong identity, read from the OpenAPI document (each `/v1`
//! operation with a key: not a hand-kept list), on both stores.
//!
//! Two couriers, Alpha and Bravo. Alpha has two clients, Alpha One (with an order, an import,
//! an integration, a chat message, a second API key) and Alpha Two; Bravo has Bravo One.
//! Every protected operation is called with Alpha's objects in its path (their real ids) and:
//!
//! - no credential, a malformed key, a revoked key of Alpha's, and Alpha One's person's
//!   session cookie instead of a key (the API takes keys only; a cookie sent by a browser from
//!   another site must not act): 401, and nothing of anyone in the answer;
//! - Bravo's key and Bravo One's key: 401/403/404 for an operation on Alpha's object, and for
//!   one without an object (a list, a create) whatever its own tenant gets, but not one byte
//!   of Alpha's (ids, names, emails, the order's short id and addresses) in any answer;
//! - Alpha Two's key (a client of the same courier): nothing of Alpha One's;
//! - a client's key on a courier's read and a courier's key on a client's: an answer the
//!   operation documents (403, or 404 for an object the caller cannot see), never a 5xx.
//!
//! Afterwards Alpha's objects are as they were: nothing was written through a wrong identity.

use std::collections::BTreeMap;

use portal_local::openapi::document;
use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::imports::upload;

on_both_backends!(every_route_answers_every_wrong_identity_with_nothing_of_another_tenant);

/// A protected API operation: method, path template, its documented statuses.
struct Operation {
    method: String,
    path: String,
    documented: Vec<u16>,
}

fn api_operations() -> Vec<Operation> {
    let doc = document();
    let mut found = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            // `security: []`: a public operation (an invitation's acceptance, a platform's
            // webhook delivery), authenticated by its token or signature, not by a key.
            if op["security"].as_array().is_some_and(|s| s.is_empty()) {
                continue;
            }
            let documented = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .filter_map(|status| status.parse().ok())
                .collect();
            found.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                documented,
            });
        }
    }
    assert!(
        found.len() > 50,
        "the API's operations are read ({})",
        found.len()
    );
    found
}

/// What Alpha owns, by the path parameter naming it, and the strings that are Alpha One's
/// (or any of Alpha's) alone.
struct Alpha {
    courier: Org,
    one: Org,
    two: Org,
    revoked: String,
    one_cookie: String,
    ids: BTreeMap<&'static str, String>,
    /// Alpha One's strings: no one but Alpha One and its courier may see them.
    one_secrets: Vec<String>,
    /// Alpha the courier's strings (its clients see its name; no other tenant does).
    courier_secrets: Vec<String>,
}

async fn alpha(app: &TestApp) -> Alpha {
    let courier = app.create_courier("Alphacourier").await;
    let one = app
        .onboard_client(&courier, "Alphaone Florist", "orders@alphaone.example")
        .await;
    let two = app
        .onboard_client(&courier, "Alphatwo Bakery", "orders@alphatwo.example")
        .await;
    let str_of = |v: &Value| {
        v.as_str()
            .unwrap_or_else(|| panic!("an id, not {v}"))
            .to_string()
    };

    let order = app
        .post(
            "/v1/orders",
            &one.key,
            json!({
                "pickup": {"address": {"line1": "1 Alphaone Street", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "2 Alphaone Avenue", "city": "Paris"},
                            "recipient": {"name": "Alphaone Recipient", "phone": "+33612345678"}}
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let team = app.create_team(&courier, "Alphateam").await;
    let service = app
        .post(
            "/v1/services",
            &courier.key,
            json!({
                "name": "Alphaexpress", "sla": {"kind": "same_day", "hours": 2},
                "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "20:00"}
            }),
        )
        .await;
    assert_eq!(service.status, 201, "{}", service.text);
    let rates = app
        .post(
            "/v1/rate-tables",
            &courier.key,
            json!({"name": "Alpharates", "currency": "EUR", "base": {"method": "flat", "amount": 2500}}),
        )
        .await;
    assert_eq!(rates.status, 201, "{}", rates.text);
    let key = app
        .post("/v1/api-keys", &one.key, json!({"label": "Alphaone key"}))
        .await;
    assert_eq!(key.status, 201, "{}", key.text);
    let revoked = app
        .post(
            "/v1/api-keys",
            &courier.key,
            json!({"label": "Alpha old key"}),
        )
        .await;
    assert_eq!(revoked.status, 201, "{}", revoked.text);
    let gone = app
        .call(
            "DELETE",
            &format!("/v1/api-keys/{}", revoked.body["id"].as_str().unwrap()),
            Some(&courier.key),
            None,
        )
        .await;
    assert!(gone.status < 300, "{}", gone.text);
    let integration = app
        .post(
            "/v1/integrations",
            &one.key,
            json!({"platform": "shopify", "name": "Alphaone shop", "secret": "shpss_alphaone_secret_0123456789"}),
        )
        .await;
    assert_eq!(integration.status, 201, "{}", integration.text);
    let allowed = app
        .call(
            "PATCH",
            &format!("/v1/clients/{}", one.id),
            Some(&courier.key),
            Some(json!({"allowOrderUpload": true})),
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let import = upload(
        app,
        &one.key,
        "?date=2026-12-02",
        "text/csv",
        "Address Line 1,City,Recipient Name,Id\n3 Alphaone Road,Lyon,Alphaone Importee,ALPHA-1\n",
    )
    .await;
    assert!(matches!(import.status, 201 | 202), "{}", import.text);
    let message = app
        .post(
            "/v1/chat/messages",
            &one.key,
            json!({"text": "Alphaone asks about a parcel"}),
        )
        .await;
    assert_eq!(message.status, 201, "{}", message.text);
    let endpoint = app
        .post(
            "/v1/webhook-endpoints",
            &one.key,
            json!({"url": "https://hooks.example.com/alphaone", "eventTypes": ["order.created"]}),
        )
        .await;
    assert_eq!(endpoint.status, 201, "{}", endpoint.text);
    let (_, one_cookie) = crate::team::joined(app, &one, "ana@alphaone.example", "admin").await;
    let users = app.get("/v1/users", &one.key).await;
    assert_eq!(users.status, 200, "{}", users.text);
    let user = users.body["items"][0].clone();

    let ids = BTreeMap::from([
        ("orderId", str_of(&order.body["id"])),
        ("taskId", str_of(&order.body["dropoff"]["id"])),
        ("teamId", team.clone()),
        ("serviceId", str_of(&service.body["id"])),
        ("rateTableId", str_of(&rates.body["id"])),
        ("keyId", str_of(&key.body["id"])),
        ("userId", str_of(&user["id"])),
        ("clientId", one.id.clone()),
        ("importId", str_of(&import.body["id"])),
        ("integrationId", str_of(&integration.body["id"])),
        ("endpointId", str_of(&endpoint.body["id"])),
        // No delivery exists yet: a well-formed id of Alpha's integration.
        ("deliveryId", "dlv_01J0000000000000000000000A".into()),
    ]);
    let one_secrets = vec![
        one.id.clone(),
        "Alphaone".into(),
        "alphaone.example".into(),
        str_of(&order.body["id"]),
        str_of(&order.body["shortId"]),
        str_of(&order.body["dropoff"]["id"]),
        str_of(&key.body["id"]),
        str_of(&user["id"]),
        str_of(&import.body["id"]),
        str_of(&integration.body["id"]),
        str_of(&endpoint.body["id"]),
    ];
    let courier_secrets = vec![
        courier.id.clone(),
        "Alphacourier".into(),
        "alphacourier.example".into(),
        team,
        "Alphateam".into(),
        str_of(&service.body["id"]),
        "Alphaexpress".into(),
        str_of(&rates.body["id"]),
        "Alpharates".into(),
        two.id.clone(),
        "Alphatwo".into(),
    ];
    Alpha {
        courier,
        one,
        two,
        revoked: revoked.body["key"].as_str().unwrap().to_string(),
        one_cookie,
        ids,
        one_secrets,
        courier_secrets,
    }
}

/// A body the operation accepts, for the writes that check their fields before the object:
/// with it, a wrong tenant reaches the object and must get 404. Other writes are sent `{}`,
/// and may be refused for their fields (400, 422) without the object being read.
fn sample_body(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("PUT", "/v1/clients/{clientId}/services") => json!({"services": []}),
        ("PATCH", "/v1/orders/{orderId}") => json!({"version": 1, "notes": "Ring twice"}),
        ("POST", "/v1/orders/{orderId}/reject") => json!({"reason": "Out of our area"}),
        ("POST", "/v1/tasks/{taskId}/events") => json!({"type": "started"}),
        ("POST", "/v1/tasks/{taskId}/location") => json!({"lat": 45.76, "lng": 4.84}),
        ("PATCH", "/v1/teams/{teamId}") => json!({"name": "Renamed team"}),
        ("PATCH", "/v1/users/{userId}") => json!({"role": "member"}),
        _ => return None,
    })
}

fn filled(path: &str, ids: &BTreeMap<&'static str, String>) -> String {
    let mut uri = path.to_string();
    for (name, id) in ids {
        uri = uri.replace(&format!("{{{name}}}"), id);
    }
    assert!(
        !uri.contains('{'),
        "{path}: a path parameter with no object"
    );
    uri
}

/// The secrets in an answer, but those the request carried itself (an id echoed back in a
/// 404's message tells the caller nothing it did not send).
fn leaked<'a>(request: &str, answer: &TestResponse, secrets: &'a [String]) -> Vec<&'a str> {
    let text = answer.text.to_lowercase();
    let headers = format!("{:?}", answer.headers).to_lowercase();
    secrets
        .iter()
        .map(|s| (s, s.to_lowercase()))
        .filter(|(_, s)| !request.to_lowercase().contains(s))
        .filter(|(_, s)| text.contains(s) || headers.contains(s))
        .map(|(s, _)| s.as_str())
        .collect()
}

async fn every_route_answers_every_wrong_identity_with_nothing_of_another_tenant(app: TestApp) {
    let a = alpha(&app).await;
    let bravo = app.create_courier("Bravocourier").await;
    let bravo_one = app
        .onboard_client(&bravo, "Bravoone Deli", "orders@bravoone.example")
        .await;
    let order_before = app
        .get(&format!("/v1/orders/{}", a.ids["orderId"]), &a.one.key)
        .await;
    assert_eq!(order_before.status, 200);

    let every_alpha: Vec<String> = a
        .one_secrets
        .iter()
        .chain(&a.courier_secrets)
        .cloned()
        .collect();
    let malformed = "courier_sk_thisisnotakey".to_string();
    let mut wrong = vec![];
    let mut calls = 0;
    for op in api_operations() {
        let uri = filled(&op.path, &a.ids);
        let names_an_object = op.path.contains('{');
        let sample = sample_body(&op.method, &op.path);
        let body = matches!(op.method.as_str(), "POST" | "PUT" | "PATCH")
            .then(|| sample.clone().unwrap_or_else(|| json!({})));
        let request = format!(
            "{uri} {}",
            body.as_ref().map(Value::to_string).unwrap_or_default()
        );
        let mut check = |who: &str, answer: TestResponse, allowed: &[u16], secrets: &[String]| {
            calls += 1;
            let what = format!("{} {} as {who}", op.method, op.path);
            if answer.status >= 500 {
                wrong.push(format!("{what}: {} {}", answer.status, answer.text));
            } else if !allowed.is_empty() && !allowed.contains(&answer.status) {
                wrong.push(format!(
                    "{what}: {} (expected one of {allowed:?}) {}",
                    answer.status, answer.text
                ));
            }
            let found = leaked(&request, &answer, secrets);
            if !found.is_empty() {
                wrong.push(format!(
                    "{what}: the answer holds {found:?}: {}",
                    answer.text
                ));
            }
        };

        // Not a key: 401, and nothing of anyone.
        for (who, key) in [
            ("no credential", None),
            ("a malformed key", Some(&malformed)),
            ("a revoked key", Some(&a.revoked)),
        ] {
            let answer = app
                .call(&op.method, &uri, key.map(String::as_str), body.clone())
                .await;
            check(who, answer, &[401], &every_alpha);
        }
        let headers = [
            ("cookie", a.one_cookie.as_str()),
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
            ("content-type", "application/json"),
        ];
        let answer = app
            .raw(
                &op.method,
                &uri,
                &headers,
                body.as_ref()
                    .map(|b| b.to_string())
                    .unwrap_or_default()
                    .into(),
            )
            .await;
        check(
            "a session cookie from another site",
            answer,
            &[401],
            &every_alpha,
        );

        // Another tenant: not Alpha's object, and nothing of Alpha's.
        let elsewhere: &[u16] = match (names_an_object, &body, &sample) {
            // A position is one PutItem, no read (dispatch/positions.rs): another courier's
            // lands in its own partition, where nothing reads it; checked below.
            _ if op.path == "/v1/tasks/{taskId}/location" => &[200, 403],
            (false, _, _) => &[],
            (true, Some(_), None) => &[400, 401, 403, 404, 422],
            (true, _, _) => &[401, 403, 404],
        };
        for (who, key) in [
            ("another courier", &bravo.key),
            ("another courier's client", &bravo_one.key),
        ] {
            let answer = app.call(&op.method, &uri, Some(key), body.clone()).await;
            check(who, answer, elsewhere, &every_alpha);
        }
        // A client of the same courier: nothing of its neighbour's.
        let answer = app
            .call(&op.method, &uri, Some(&a.two.key), body.clone())
            .await;
        check(
            "the courier's other client",
            answer,
            elsewhere,
            &a.one_secrets,
        );

        // The wrong role of the right tenant: what the operation documents (reads only: a
        // write of the right tenant may well succeed, and change what the next ones see).
        if op.method != "GET" {
            continue;
        }
        for (who, key) in [("its client", &a.one.key), ("its courier", &a.courier.key)] {
            let answer = app.call(&op.method, &uri, Some(key), body.clone()).await;
            if answer.status >= 400 && !op.documented.contains(&answer.status) {
                wrong.push(format!(
                    "{} {} as {who}: {} is not documented ({:?}) {}",
                    op.method, op.path, answer.status, op.documented, answer.text
                ));
            }
            if answer.status >= 500 {
                wrong.push(format!(
                    "{} {} as {who}: {} {}",
                    op.method, op.path, answer.status, answer.text
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(calls > 300, "every operation was tried ({calls} calls)");

    // Nothing of Alpha One's changed through another identity (its own `{}` bodies are
    // refused for their fields).
    let order_after = app
        .get(&format!("/v1/orders/{}", a.ids["orderId"]), &a.one.key)
        .await;
    assert_eq!(order_after.status, 200);
    assert_eq!(order_after.body, order_before.body);
    let position = portal::dispatch::positions::latest_position(
        app.ctx().store.as_ref(),
        &a.courier.id,
        &a.ids["orderId"],
        "dropoff",
        app.ctx().now(),
    )
    .await
    .unwrap();
    assert_eq!(position, None, "another courier's position is not Alpha's");
}
