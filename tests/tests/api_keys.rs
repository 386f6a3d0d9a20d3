//! API keys: shown once, hashed at rest, listed by prefix and label, revoked at once.

use portal::store::keys;
use portal_tests::{on_both_backends, TestApp};
use serde_json::json;

on_both_backends!(
    keys_are_shown_once_listed_without_secret_and_revocable,
    only_the_hash_is_stored,
    keys_are_capped_per_organisation
);

async fn keys_are_shown_once_listed_without_secret_and_revocable(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let created = app
        .post(
            "/v1/api-keys",
            &courier.key,
            json!({"label": "dispatch system"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["key"].as_str().unwrap().to_string();
    assert!(secret.starts_with("courier_sk_"));
    assert_eq!(created.body["prefix"].as_str().unwrap(), &secret[..15]);
    let listed = app.get("/v1/api-keys", &secret).await;
    assert_eq!(listed.status, 200);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        !listed.text.contains(&secret[11..]),
        "listings never show a secret"
    );
    assert_eq!(items[0]["label"], "dispatch system");

    let key_id = created.body["id"].as_str().unwrap();
    let revoked = app
        .call(
            "DELETE",
            &format!("/v1/api-keys/{key_id}"),
            Some(&courier.key),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    let refused = app.get("/v1/api-keys", &secret).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (401, "unauthorized")
    );
    let listed = app.get("/v1/api-keys", &courier.key).await;
    assert!(listed.body["items"][0]["revokedAt"].is_string());

    let other = app.create_courier("Rival Riders").await;
    let theirs = app
        .call(
            "DELETE",
            &format!("/v1/api-keys/{key_id}"),
            Some(&other.key),
            None,
        )
        .await;
    assert_eq!(
        theirs.status, 404,
        "another organisation's key is not found"
    );
}

async fn only_the_hash_is_stored(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let hash = portal::domain::token::hash(&courier.key);
    let stored = app
        .store
        .get(&keys::api_key_secret(&hash))
        .await
        .unwrap()
        .expect("found by hash");
    let dump = serde_json::to_string(&stored).unwrap();
    assert!(
        !dump.contains(&courier.key[11..]),
        "the secret itself is not stored: {dump}"
    );
}

async fn keys_are_capped_per_organisation(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    for _ in 1..portal::api::api_keys::MAX_ACTIVE_KEYS {
        assert_eq!(
            app.post("/v1/api-keys", &courier.key, json!({}))
                .await
                .status,
            201
        );
    }
    let over = app.post("/v1/api-keys", &courier.key, json!({})).await;
    assert_eq!((over.status, over.error_code()), (409, "too_many_keys"));
}
