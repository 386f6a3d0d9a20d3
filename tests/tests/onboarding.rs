//! A courier onboards its clients: create, list, read, change, invite, accept, delete.

use portal_tests::{on_both_backends, token_in, TestApp};
use serde_json::json;

on_both_backends!(
    a_courier_creates_and_lists_its_clients,
    an_invited_client_accepts_once_and_gets_a_working_key,
    an_invitation_expires_after_seven_days,
    re_inviting_replaces_the_old_token,
    an_email_change_waits_for_confirmation,
    a_deleted_client_cannot_sign_in_and_its_record_stays,
    a_client_key_cannot_use_courier_routes,
    another_couriers_client_is_not_found,
    a_stale_version_is_a_conflict,
    client_emails_are_unique_per_courier,
);

async fn a_courier_creates_and_lists_its_clients(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let north = app.create_team(&courier, "North").await;
    let created = app
        .post(
            "/v1/clients",
            &courier.key,
            json!({
                "name": "Bloom Florist", "email": "orders@bloom.example", "allowOrderUpload": true,
                "autoAssignTeamId": north, "integrationsEnabled": true, "serviceSelection": "cheapest",
                "defaultPickup": {
                    "address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69001", "country": "fr", "lat": 45.76, "lng": 4.83},
                    "contact": {"name": "Ana", "phone": "+33612345678"}, "notes": "Back door"
                }
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let client = &created.body;
    assert_eq!(client["status"], "pending");
    assert_eq!(client["serviceSelection"], "cheapest");
    assert_eq!(client["defaultPickup"]["address"]["country"], "FR");
    assert_eq!(client["version"], 1);
    assert!(client.get("inviteTokenHash").is_none() && client.get("activeKeys").is_none());
    let id = client["id"].as_str().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/clients/{id}").as_str())
    );

    let second = app
        .create_client(&courier, "Corner Pharmacy", "rx@corner.example")
        .await;
    let listed = app.get("/v1/clients", &courier.key).await;
    let ids: Vec<_> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, [second.clone(), id.to_string()], "newest first");

    let page = app.get("/v1/clients?limit=1", &courier.key).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    let cursor = page.body["nextCursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/v1/clients?limit=1&cursor={cursor}"),
            &courier.key,
        )
        .await;
    assert_eq!(rest.body["items"][0]["id"], id);
    assert!(rest.body.get("nextCursor").is_none());

    let fetched = app.get(&format!("/v1/clients/{id}"), &courier.key).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["name"], "Bloom Florist");
    let pending_only = app.get("/v1/clients?status=pending", &courier.key).await;
    assert_eq!(pending_only.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get("/v1/clients?status=active", &courier.key)
            .await
            .body["items"],
        json!([])
    );
}

async fn an_invited_client_accepts_once_and_gets_a_working_key(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let id = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let token = app.invite(&courier, &id).await;
    let email = app.last_email_to("orders@bloom.example");
    assert!(
        email.subject.contains("Swift Couriers"),
        "{}",
        email.subject
    );
    assert!(email
        .text
        .contains(&format!("https://portal.test/invitations/{token}\n")));
    assert!(!email.text.contains("/v1/") && !email.text.contains("curl"));
    assert_eq!(
        app.get(&format!("/v1/clients/{id}"), &courier.key)
            .await
            .body["status"],
        "invited"
    );

    let accepted = app
        .call(
            "POST",
            &format!("/v1/invitations/{token}/accept"),
            None,
            None,
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let key = accepted.body["apiKey"]["key"].as_str().unwrap();
    assert!(key.starts_with("client_sk_") && key.len() >= 10 + 43);
    assert_eq!(accepted.body["clientId"], id.as_str());
    assert_eq!(
        app.get(&format!("/v1/clients/{id}"), &courier.key)
            .await
            .body["status"],
        "active"
    );

    let again = app
        .call(
            "POST",
            &format!("/v1/invitations/{token}/accept"),
            None,
            None,
        )
        .await;
    assert_eq!((again.status, again.error_code()), (410, "token_used"));
    let keys = app.get("/v1/api-keys", key).await;
    assert_eq!(keys.status, 200, "the client's key works: {}", keys.text);
    assert_eq!(keys.body["items"].as_array().unwrap().len(), 1);

    let unknown = app
        .call(
            "POST",
            "/v1/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/accept",
            None,
            None,
        )
        .await;
    assert_eq!(unknown.status, 404);
    let active_again = app
        .call(
            "POST",
            &format!("/v1/clients/{id}/invitation"),
            Some(&courier.key),
            None,
        )
        .await;
    assert_eq!(
        (active_again.status, active_again.error_code()),
        (409, "already_active")
    );
}

async fn an_invitation_expires_after_seven_days(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let id = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let token = app.invite(&courier, &id).await;
    app.clock
        .advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
    let late = app
        .call(
            "POST",
            &format!("/v1/invitations/{token}/accept"),
            None,
            None,
        )
        .await;
    assert_eq!((late.status, late.error_code()), (410, "token_expired"));
    assert_eq!(
        app.get(&format!("/v1/clients/{id}"), &courier.key)
            .await
            .body["status"],
        "invited"
    );
}

async fn re_inviting_replaces_the_old_token(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let id = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let old = app.invite(&courier, &id).await;
    let new = app.invite(&courier, &id).await;
    assert_ne!(old, new);
    let stale = app
        .call("POST", &format!("/v1/invitations/{old}/accept"), None, None)
        .await;
    assert_eq!(stale.status, 410, "{}", stale.text);
    let fresh = app
        .call("POST", &format!("/v1/invitations/{new}/accept"), None, None)
        .await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
}

async fn an_email_change_waits_for_confirmation(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let id = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let patched = app
        .call(
            "PATCH",
            &format!("/v1/clients/{id}"),
            Some(&courier.key),
            Some(json!({"email": "new@bloom.example", "name": "Bloom & Co"})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(
        patched.body["email"], "orders@bloom.example",
        "the old email stays in force"
    );
    assert_eq!(patched.body["pendingEmail"], "new@bloom.example");
    assert_eq!(patched.body["name"], "Bloom & Co");
    let mail = app.last_email_to("new@bloom.example");
    let token = token_in(&mail.text, "/email-confirmations/", "\n");
    let confirmed = app
        .call(
            "POST",
            &format!("/v1/email-confirmations/{token}"),
            None,
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let client = app
        .get(&format!("/v1/clients/{id}"), &courier.key)
        .await
        .body;
    assert_eq!(client["email"], "new@bloom.example");
    assert!(client.get("pendingEmail").is_none());
    let twice = app
        .call(
            "POST",
            &format!("/v1/email-confirmations/{token}"),
            None,
            None,
        )
        .await;
    assert_eq!(twice.status, 410);
    // The old address is free again, the new one is taken.
    app.create_client(&courier, "Someone Else", "orders@bloom.example")
        .await;
    let taken = app
        .post(
            "/v1/clients",
            &courier.key,
            json!({"name": "Copycat", "email": "NEW@bloom.example"}),
        )
        .await;
    assert_eq!((taken.status, taken.error_code()), (409, "email_taken"));
}

async fn a_deleted_client_cannot_sign_in_and_its_record_stays(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let second_key = app
        .post("/v1/api-keys", &client.key, json!({"label": "shop"}))
        .await
        .body["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.get("/v1/api-keys", &client.key).await.status, 200);
    let deleted = app
        .call(
            "DELETE",
            &format!("/v1/clients/{}", client.id),
            Some(&courier.key),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    for key in [&client.key, &second_key] {
        let refused = app.get("/v1/api-keys", key).await;
        assert_eq!(refused.status, 401, "keys stop working at once");
    }
    let record = app
        .get(&format!("/v1/clients/{}", client.id), &courier.key)
        .await;
    assert_eq!(record.body["status"], "deleted");
    let again = app
        .call(
            "DELETE",
            &format!("/v1/clients/{}", client.id),
            Some(&courier.key),
            None,
        )
        .await;
    assert_eq!(again.status, 204);
    let patch = app
        .call(
            "PATCH",
            &format!("/v1/clients/{}", client.id),
            Some(&courier.key),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!((patch.status, patch.error_code()), (409, "client_deleted"));
}

async fn a_client_key_cannot_use_courier_routes(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    for (method, uri) in [
        ("GET", "/v1/clients".to_string()),
        ("POST", "/v1/clients".to_string()),
        ("GET", format!("/v1/clients/{}", client.id)),
        ("POST", format!("/v1/clients/{}/invitation", client.id)),
        ("DELETE", format!("/v1/clients/{}", client.id)),
    ] {
        let response = app
            .call(
                method,
                &uri,
                Some(&client.key),
                Some(json!({"name": "x", "email": "x@y.io"})),
            )
            .await;
        assert_eq!(
            (response.status, response.error_code()),
            (403, "forbidden"),
            "{method} {uri}"
        );
    }
}

async fn another_couriers_client_is_not_found(app: TestApp) {
    let mine = app.create_courier("Swift Couriers").await;
    let theirs = app.create_courier("Rival Riders").await;
    let their_client = app
        .create_client(&theirs, "Their Shop", "shop@their.example")
        .await;
    let missing = format!("cli_{}", ulid::Ulid::generate());
    for id in [their_client.as_str(), missing.as_str(), "not-an-id"] {
        for (method, uri, body) in [
            ("GET", format!("/v1/clients/{id}"), None),
            (
                "PATCH",
                format!("/v1/clients/{id}"),
                Some(json!({"name": "Mine now"})),
            ),
            ("DELETE", format!("/v1/clients/{id}"), None),
            ("POST", format!("/v1/clients/{id}/invitation"), None),
        ] {
            let response = app.call(method, &uri, Some(&mine.key), body).await;
            assert_eq!(
                (response.status, response.error_code()),
                (404, "not_found"),
                "{method} {uri}"
            );
        }
    }
    assert_eq!(
        app.get(&format!("/v1/clients/{their_client}"), &theirs.key)
            .await
            .body["status"],
        "pending",
        "untouched"
    );
    assert_eq!(
        app.get("/v1/clients", &mine.key).await.body["items"],
        json!([])
    );
}

async fn a_stale_version_is_a_conflict(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let id = app
        .create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let first = app
        .call(
            "PATCH",
            &format!("/v1/clients/{id}"),
            Some(&courier.key),
            Some(json!({"name": "A", "version": 1})),
        )
        .await;
    assert_eq!(
        (first.status, first.body["version"].as_u64()),
        (200, Some(2))
    );
    let stale = app
        .call(
            "PATCH",
            &format!("/v1/clients/{id}"),
            Some(&courier.key),
            Some(json!({"name": "B", "version": 1})),
        )
        .await;
    assert_eq!(
        (stale.status, stale.error_code()),
        (409, "version_conflict")
    );
    let headers = [
        ("authorization", format!("Bearer {}", courier.key)),
        ("if-match", "\"1\"".to_string()),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let via_header = app
        .raw(
            "PATCH",
            &format!("/v1/clients/{id}"),
            &headers,
            r#"{"name":"C"}"#.into(),
        )
        .await;
    assert_eq!(via_header.status, 409);
    assert_eq!(
        app.get(&format!("/v1/clients/{id}"), &courier.key)
            .await
            .body["name"],
        "A"
    );
    let team = app.create_team(&courier, "T1").await;
    let cleared = app
        .call(
            "PATCH",
            &format!("/v1/clients/{id}"),
            Some(&courier.key),
            Some(json!({"autoAssignTeamId": team})),
        )
        .await;
    assert_eq!(cleared.body["autoAssignTeamId"], team.as_str());
    let cleared = app
        .call(
            "PATCH",
            &format!("/v1/clients/{id}"),
            Some(&courier.key),
            Some(json!({"autoAssignTeamId": null})),
        )
        .await;
    assert!(
        cleared.body.get("autoAssignTeamId").is_none(),
        "{}",
        cleared.text
    );
}

async fn client_emails_are_unique_per_courier(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let other = app.create_courier("Rival Riders").await;
    app.create_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let duplicate = app
        .post(
            "/v1/clients",
            &courier.key,
            json!({"name": "Bloom 2", "email": "Orders@Bloom.example"}),
        )
        .await;
    assert_eq!(
        (duplicate.status, duplicate.error_code()),
        (409, "email_taken")
    );
    assert_eq!(
        app.get("/v1/clients", &courier.key).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing half-written"
    );
    app.create_client(&other, "Bloom Florist", "orders@bloom.example")
        .await;
}
