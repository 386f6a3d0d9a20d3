//! Organisation settings on both stores: a client's and a courier's own, the GET → PATCH
//! round trip, a client's (and a courier's own) email change waiting for confirmation, and
//! units in imports.

use bytes::Bytes;
use portal_tests::{on_both_backends, TestApp};
use serde_json::json;

async fn a_client_edits_its_organisation(app: TestApp) {
    let courier = app.create_courier("Bay Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let read = app.get("/v1/settings/organization", &client.key).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.body,
        json!({"name": "Bloom Florist", "email": "orders@bloom.example", "phone": null,
               "country": null, "timezone": null, "units": "metric", "logoUrl": null})
    );
    let patch = json!({
        "phone": "+14155550100", "country": "US", "timezone": "America/Los_Angeles",
        "units": "imperial", "logoUrl": "https://cdn.bloom.example/logo.png"
    });
    let saved = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&client.key),
            Some(patch),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["units"], "imperial");
    // GET → PATCH with the same document changes nothing.
    let read = app.get("/v1/settings/organization", &client.key).await;
    assert_eq!(read.body, saved.body);
    let again = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&client.key),
            Some(read.body.clone()),
        )
        .await;
    assert_eq!((again.status, &again.body), (200, &read.body));
    // `null` clears; bad values name their field.
    let cleared = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&client.key),
            Some(json!({"logoUrl": null})),
        )
        .await;
    assert_eq!(cleared.body["logoUrl"], json!(null));
    for (body, field) in [
        (json!({"phone": "123"}), "phone"),
        (json!({"country": "Atlantis"}), "country"),
        (json!({"units": "stones"}), "units"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (
            json!({"logoUrl": "http://insecure.example/x.png"}),
            "logoUrl",
        ),
        (json!({"colour": "red"}), "colour"),
    ] {
        let bad = app
            .call(
                "PATCH",
                "/v1/settings/organization",
                Some(&client.key),
                Some(body),
            )
            .await;
        assert_eq!(
            (bad.status, bad.error_field()),
            (422, field),
            "{}",
            bad.text
        );
    }

    // A new email waits for confirmation.
    let changed = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&client.key),
            Some(json!({"email": "hello@bloom.example"})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["email"], "orders@bloom.example");
    assert_eq!(changed.body["pendingEmail"], "hello@bloom.example");
    let mail = app.last_email_to("hello@bloom.example");
    let token = portal_tests::token_in(&mail.text, "/email-confirmations/", "\n");
    let confirmed = app
        .call(
            "POST",
            &format!("/v1/email-confirmations/{token}"),
            None,
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let read = app.get("/v1/settings/organization", &client.key).await;
    assert_eq!(read.body["email"], "hello@bloom.example");
    assert!(read.body.get("pendingEmail").is_none());

    // Imperial units: an import's Weight column is in pounds (stored in kg).
    let allowed = app
        .call(
            "PATCH",
            &format!("/v1/clients/{}", client.id),
            Some(&courier.key),
            Some(json!({
                "allowOrderUpload": true,
                "defaultPickup": {"address": {"line1": "10 Depot Rd", "city": "San Francisco"}}
            })),
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let auth = format!("Bearer {}", client.key);
    let imported = app
        .raw(
            "POST",
            "/v1/imports",
            &[("authorization", &auth), ("content-type", "text/csv")],
            Bytes::from("Address,Name,Phone,Weight\n1 Market St,Ada,(415) 555-0147,10\n"),
        )
        .await;
    assert_eq!(imported.status, 201, "{}", imported.text);
    let order_id = imported.body["rows"][0]["orderId"].as_str().unwrap();
    let order = app
        .get(&format!("/v1/orders/{order_id}"), &client.key)
        .await;
    assert_eq!(order.body["weight"], 4.536, "10 lb");
    // National phone numbers in the organisation's country.
    assert_eq!(order.body["dropoff"]["contact"]["phone"], "+14155550147");
}

async fn a_courier_edits_its_own(app: TestApp) {
    let courier = app.create_courier("Bay Couriers").await;
    let read = app.get("/v1/settings/organization", &courier.key).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body["name"], "Bay Couriers");
    assert_eq!(read.body["timezone"], "Europe/Paris");
    let saved = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&courier.key),
            Some(json!({"name": "Bay Couriers Ltd", "timezone": "America/New_York", "units": "imperial"})),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let read = app.get("/v1/settings/organization", &courier.key).await;
    assert_eq!(read.body, saved.body);
    assert_eq!(read.body["timezone"], "America/New_York");
    let again = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&courier.key),
            Some(read.body.clone()),
        )
        .await;
    assert_eq!((again.status, &again.body), (200, &read.body));
    let cleared = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&courier.key),
            Some(json!({"timezone": null})),
        )
        .await;
    assert_eq!((cleared.status, cleared.error_field()), (422, "timezone"));

    // The courier's own email waits for confirmation from the new address too.
    let before = read.body["email"].as_str().unwrap().to_string();
    let changed = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&courier.key),
            Some(json!({"email": "first@bay.example"})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["email"], before.as_str());
    assert_eq!(changed.body["pendingEmail"], "first@bay.example");
    let first = app.last_email_to("first@bay.example");
    let first_token = portal_tests::token_in(&first.text, "/email-confirmations/", "\n");
    // A second change replaces the first: its link no longer works.
    let changed = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&courier.key),
            Some(json!({"email": "dispatch@bay.example"})),
        )
        .await;
    assert_eq!(changed.body["pendingEmail"], "dispatch@bay.example");
    let read = app.get("/v1/settings/organization", &courier.key).await;
    assert_eq!(read.body["email"], before.as_str());
    assert_eq!(read.body["pendingEmail"], "dispatch@bay.example");
    let stale = app
        .call(
            "POST",
            &format!("/v1/email-confirmations/{first_token}"),
            None,
            None,
        )
        .await;
    assert_eq!(stale.status, 404, "{}", stale.text);
    let mail = app.last_email_to("dispatch@bay.example");
    let token = portal_tests::token_in(&mail.text, "/email-confirmations/", "\n");
    let confirmed = app
        .call(
            "POST",
            &format!("/v1/email-confirmations/{token}"),
            None,
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(confirmed.body["email"], "dispatch@bay.example");
    assert_eq!(confirmed.body["courierId"], courier.id.as_str());
    let read = app.get("/v1/settings/organization", &courier.key).await;
    assert_eq!(read.body["email"], "dispatch@bay.example");
    assert!(read.body.get("pendingEmail").is_none(), "{}", read.text);
    let again = app
        .call(
            "POST",
            &format!("/v1/email-confirmations/{token}"),
            None,
            None,
        )
        .await;
    assert_eq!(again.status, 410, "{}", again.text);
    // Sending the current email back cancels a pending change.
    let pending = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&courier.key),
            Some(json!({"email": "other@bay.example"})),
        )
        .await;
    assert_eq!(pending.body["pendingEmail"], "other@bay.example");
    let cancelled = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&courier.key),
            Some(json!({"email": "dispatch@bay.example"})),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert!(
        cancelled.body.get("pendingEmail").is_none(),
        "{}",
        cancelled.text
    );
}

on_both_backends!(a_client_edits_its_organisation, a_courier_edits_its_own);
