//! Bad input: the JSON error of PRODUCT.md with the right status and field, and nothing written.

use bytes::Bytes;
use portal_tests::{on_both_backends, TestApp};
use serde_json::json;

on_both_backends!(
    bad_bodies_get_clear_errors_and_write_nothing,
    bad_keys_are_401,
    a_forged_cursor_is_400
);

async fn bad_bodies_get_clear_errors_and_write_nothing(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let auth = format!("Bearer {}", courier.key);
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let cases: Vec<(String, u16, &str, &str)> = vec![
        ("{\"name\": ".into(), 400, "malformed_request", ""),
        ("[1,2]".into(), 400, "malformed_request", ""),
        ("".into(), 400, "malformed_request", ""),
        (json!({"email": "a@b.io"}).to_string(), 422, "missing_field", "name"),
        (json!({"name": "Shop", "email": "not-an-email"}).to_string(), 422, "invalid_field", "email"),
        (json!({"name": "   ", "email": "a@b.io"}).to_string(), 422, "invalid_field", "name"),
        (json!({"name": "Shop", "email": "a@b.io", "status": "active"}).to_string(), 422, "unknown_field", "status"),
        (json!({"name": "Shop", "email": "a@b.io", "serviceSelection": "slowest"}).to_string(), 422, "invalid_field", "serviceSelection"),
        (json!({"name": "Shop", "email": "a@b.io", "defaultPickup": {"address": {"line1": "1 Main"}, "contact": {"name": "Ana", "phone": "0612345678"}}}).to_string(), 422, "invalid_field", "defaultPickup.contact.phone"),
        (json!({"name": "Shop", "email": "a@b.io", "defaultPickup": {"address": {"line1": "1 Main", "lat": 123.0}}}).to_string(), 422, "invalid_field", "defaultPickup.address.lat"),
        (json!({"name": "Shop", "email": "a@b.io", "defaultPickup": {"address": {"city": "Lyon"}}}).to_string(), 422, "missing_field", "defaultPickup.address.line1"),
        (json!({"name": "x".repeat(70_000), "email": "a@b.io"}).to_string(), 413, "payload_too_large", ""),
    ];
    for (body, status, code, field) in cases {
        let response = app
            .raw("POST", "/v1/clients", &headers, Bytes::from(body.clone()))
            .await;
        assert_eq!(response.status, status, "{body:.80}: {}", response.text);
        assert_eq!(response.error_code(), code, "{body:.80}");
        assert_eq!(response.error_field(), field, "{body:.80}");
        assert!(response.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(
        app.get("/v1/clients", &courier.key).await.body["items"],
        json!([]),
        "nothing was written"
    );
    let patch = app
        .call(
            "PATCH",
            "/v1/clients/cli_01J00000000000000000000000",
            Some(&courier.key),
            Some(json!({"bogus": 1})),
        )
        .await;
    assert_eq!(patch.status, 422);
    let bad_limit = app.get("/v1/clients?limit=0", &courier.key).await;
    assert_eq!((bad_limit.status, bad_limit.error_field()), (422, "limit"));
    let wrong_method = app
        .call("PUT", "/v1/clients", Some(&courier.key), None)
        .await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(
        app.call("GET", "/v1/nowhere", Some(&courier.key), None)
            .await
            .status,
        404
    );
}

async fn bad_keys_are_401(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let forged = format!("courier_sk_{}", "A".repeat(43));
    for header in [
        None,
        Some("".to_string()),
        Some("Basic abc".into()),
        Some("Bearer nope".into()),
        Some(format!("Bearer {forged}")),
        Some(format!(
            "Bearer {}",
            courier.key.replace("courier_", "client_")
        )),
    ] {
        let headers: Vec<(&str, &str)> = header
            .iter()
            .map(|h| ("authorization", h.as_str()))
            .collect();
        let response = app.raw("GET", "/v1/clients", &headers, Bytes::new()).await;
        assert_eq!(
            (response.status, response.error_code()),
            (401, "unauthorized"),
            "{header:?}"
        );
        assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    }
}

async fn a_forged_cursor_is_400(app: TestApp) {
    use base64::Engine;
    let courier = app.create_courier("Swift Couriers").await;
    let other = app.create_courier("Rival Riders").await;
    app.create_client(&other, "Their Shop", "shop@their.example")
        .await;
    let foreign = json!({"PK": format!("COURIER#{}", other.id), "SK": "CLIENT#~"}).to_string();
    let foreign = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(foreign);
    for cursor in ["%%%", "bm90LWpzb24", foreign.as_str()] {
        let response = app
            .get(&format!("/v1/clients?cursor={cursor}"), &courier.key)
            .await;
        assert_eq!(
            (response.status, response.error_field()),
            (400, "cursor"),
            "{cursor}"
        );
    }
}
