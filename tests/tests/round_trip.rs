//! A document read from a GET is accepted back by its PUT or PATCH as it is, and changes
//! nothing: the notification and tracking-page settings, and a client.

use portal_tests::{on_both_backends, Org, TestApp};
use serde_json::{json, Value};

on_both_backends!(
    notification_settings_read_are_accepted_back_unchanged,
    tracking_page_settings_read_are_accepted_back_unchanged,
    a_client_read_is_accepted_back_unchanged_and_read_only_fields_are_guarded,
);

async fn send(app: &TestApp, method: &str, path: &str, key: &str, body: &Value) -> Value {
    let response = app.call(method, path, Some(key), Some(body.clone())).await;
    assert_eq!(response.status, 200, "{method} {path}: {}", response.text);
    response.body
}

async fn client(app: &TestApp) -> (Org, Org) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    (courier, client)
}

async fn notification_settings_read_are_accepted_back_unchanged(app: TestApp) {
    let (_, client) = client(&app).await;
    let path = "/v1/settings/notifications";
    // The defaults, following the courier's time zone (Europe/Paris).
    let read = app.get(path, &client.key).await.body;
    assert_eq!(
        (&read["timezone"], &read["timezoneFrom"]),
        (&json!("Europe/Paris"), &json!("courier"))
    );
    assert!(read["previews"]["dropoff"]["started"]["text"].is_string());
    assert_eq!(send(&app, "PUT", path, &client.key, &read).await, read);
    assert_eq!(
        app.get(path, &client.key).await.body,
        read,
        "still the courier's zone"
    );

    // A zone of its own, read and sent back.
    let mut own = read.clone();
    own["timezone"] = json!("America/New_York");
    let saved = send(&app, "PUT", path, &client.key, &own).await;
    assert_eq!(
        (&saved["timezone"], &saved["timezoneFrom"]),
        (&json!("America/New_York"), &json!("client"))
    );
    let read = app.get(path, &client.key).await.body;
    assert_eq!(send(&app, "PUT", path, &client.key, &read).await, read);
    assert_eq!(app.get(path, &client.key).await.body, read);

    // Derived fields are ignored on write, whatever they say; templates are still checked.
    let mut stale = read.clone();
    stale["previews"] = json!({});
    stale["variables"] = json!(["nope"]);
    assert_eq!(send(&app, "PUT", path, &client.key, &stale).await, read);
    let mut bad = read.clone();
    bad["templates"]["dropoff"]["started"] = json!("Hi {nobody}");
    let refused = app.call("PUT", path, Some(&client.key), Some(bad)).await;
    assert_eq!(
        (refused.status, refused.error_field()),
        (422, "templates.dropoff.started")
    );
}

async fn tracking_page_settings_read_are_accepted_back_unchanged(app: TestApp) {
    let (_, client) = client(&app).await;
    let path = "/v1/settings/tracking-page";
    let defaults = app.get(path, &client.key).await.body;
    assert_eq!(
        send(&app, "PUT", path, &client.key, &defaults).await,
        defaults
    );
    let mut branded = defaults.clone();
    branded["primaryColor"] = json!("#ff5500");
    branded["logoUrl"] = json!("https://cdn.example/logo.png");
    send(&app, "PUT", path, &client.key, &branded).await;
    let read = app.get(path, &client.key).await.body;
    assert_eq!(read, branded);
    assert_eq!(send(&app, "PUT", path, &client.key, &read).await, read);
    assert_eq!(app.get(path, &client.key).await.body, read);
}

async fn a_client_read_is_accepted_back_unchanged_and_read_only_fields_are_guarded(app: TestApp) {
    let (courier, client) = client(&app).await;
    let path = format!("/v1/clients/{}", client.id);
    let north = app.create_team(&courier, "North").await;
    let patch = json!({
        "autoAssignTeamId": north,
        "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon", "country": "FR"},
                          "contact": {"name": "Ana", "phone": "+33612345678"}},
        "email": "new@bloom.example",
    });
    send(&app, "PATCH", &path, &courier.key, &patch).await;
    let emails = app.emails().len();
    let read = app.get(&path, &courier.key).await.body;
    assert_eq!(read["pendingEmail"], "new@bloom.example");

    // Sent back as read: nothing changes, not even the version, and the pending email
    // change stays pending (no new confirmation mail).
    assert_eq!(send(&app, "PATCH", &path, &courier.key, &read).await, read);
    assert_eq!(app.get(&path, &courier.key).await.body, read);
    assert_eq!(app.emails().len(), emails);

    // An edit of the document read applies.
    let mut renamed = read.clone();
    renamed["name"] = json!("Bloom & Co");
    let saved = send(&app, "PATCH", &path, &courier.key, &renamed).await;
    assert_eq!(
        (&saved["name"], &saved["version"]),
        (
            &json!("Bloom & Co"),
            &json!(read["version"].as_u64().unwrap() + 1)
        )
    );

    // A read-only field with another value is refused, with the field.
    let mut current = app.get(&path, &courier.key).await.body;
    current["status"] = json!("deleted");
    let refused = app
        .call("PATCH", &path, Some(&courier.key), Some(current))
        .await;
    assert_eq!(
        (refused.status, refused.error_code(), refused.error_field()),
        (422, "read_only_field", "status")
    );
    // The document read before the rename is stale.
    let stale = app
        .call("PATCH", &path, Some(&courier.key), Some(read))
        .await;
    assert_eq!(
        (stale.status, stale.error_code()),
        (409, "version_conflict")
    );
}
