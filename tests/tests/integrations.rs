//! Integrations: a client's shops send signed webhooks that become orders, exactly once,
//! with every delivery in the integration inbox. The real payloads and signature vectors
//! of `tests/fixtures/webhooks/` (see its SOURCES.md) run on both stores.

use bytes::Bytes;
use portal::domain::integration::signature::sign;
use portal_tests::{on_both_backends, Backend, Org, TestApp, TestResponse};
use serde_json::{json, Value};

on_both_backends!(
    shopify_documented_sample_becomes_an_order,
    shopify_hmac_vector_verifies_and_bad_signatures_create_nothing,
    woocommerce_order_and_its_vector_ping_and_redelivery,
    generic_standard_webhooks_within_five_minutes,
    ten_concurrent_deliveries_of_one_order_make_one_order,
    cancellations_withdraw_or_flag,
    refused_when_integrations_are_off_or_the_integration_is_deleted,
    replay_processes_the_stored_body_again_without_a_second_order,
    the_inbox_lists_newest_first_and_other_tenants_get_404,
    secrets_rotate_and_bad_input_gets_field_errors,
    nothing_to_ship_and_local_pickup_are_ignored,
    a_webhook_delivery_costs_at_most_four_dynamodb_calls,
    orders_are_quoted_with_the_clients_rule_and_unquotable_ones_drafted,
    an_unsigned_delivery_is_recorded_without_its_body,
);

const SHOPIFY_SECRET: &str = "shpss_test_app_secret_0123456789";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/webhooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

struct World {
    app: TestApp,
    courier: Org,
    client: Org,
}

async fn world(app: TestApp) -> World {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let w = World {
        app,
        courier,
        client,
    };
    w.patch_client(json!({
        "integrationsEnabled": true,
        "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon", "country": "FR"}, "contact": {"name": "Bloom Florist", "phone": "+33612345678"}}
    }))
    .await;
    w
}

impl World {
    async fn patch_client(&self, body: Value) {
        let r = self
            .app
            .call(
                "PATCH",
                &format!("/v1/clients/{}", self.client.id),
                Some(&self.courier.key),
                Some(body),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    async fn integration(&self, body: Value) -> Value {
        let r = self
            .app
            .post("/v1/integrations", &self.client.key, body)
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    async fn shopify(&self) -> String {
        let created = self
            .integration(
                json!({"platform": "shopify", "name": "Bloom shop", "secret": SHOPIFY_SECRET}),
            )
            .await;
        assert!(
            created.get("secret").is_none(),
            "a pasted secret is not echoed"
        );
        created["id"].as_str().unwrap().to_string()
    }

    async fn deliver(
        &self,
        integration: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> TestResponse {
        self.app
            .raw(
                "POST",
                &format!("/v1/integrations/{integration}/webhook"),
                headers,
                Bytes::copy_from_slice(body),
            )
            .await
    }

    async fn shopify_delivery(
        &self,
        integration: &str,
        topic: &str,
        webhook_id: &str,
        body: &[u8],
    ) -> TestResponse {
        let signature = sign(SHOPIFY_SECRET.as_bytes(), &[body]);
        self.deliver(
            integration,
            &[
                ("content-type", "application/json"),
                ("x-shopify-topic", topic),
                ("x-shopify-hmac-sha256", &signature),
                ("x-shopify-shop-domain", "bloom.myshopify.com"),
                ("x-shopify-webhook-id", webhook_id),
            ],
            body,
        )
        .await
    }

    async fn orders(&self) -> Vec<Value> {
        let r = self.app.get("/v1/orders", &self.client.key).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["items"].as_array().unwrap().clone()
    }

    async fn inbox(&self, integration: &str, key: &str) -> Vec<Value> {
        let r = self
            .app
            .get(&format!("/v1/integrations/{integration}/deliveries"), key)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["items"].as_array().unwrap().clone()
    }

    async fn order(&self, id: &str) -> Value {
        let r = self
            .app
            .get(&format!("/v1/orders/{id}"), &self.client.key)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body
    }
}

/// A small Shopify order (one shipped line) with the given id.
fn shopify_order(id: u64) -> Vec<u8> {
    json!({
        "id": id, "name": format!("#{id}"), "order_number": id, "email": "ana@example.com",
        "phone": null, "total_weight": 0, "note": "Leave at the door",
        "line_items": [{"quantity": 2, "grams": 250, "requires_shipping": true}],
        "shipping_lines": [{"title": "Courier", "code": "courier"}],
        "shipping_address": {"name": "Ana Lima", "address1": "9 Rue de la Paix", "city": "Paris", "zip": "75002", "country_code": "FR", "phone": "+33698765432"}
    })
    .to_string()
    .into_bytes()
}

async fn shopify_documented_sample_becomes_an_order(app: TestApp) {
    let w = world(app).await;
    let integration = w.shopify().await;
    let body = fixture("shopify-orders-create.json");
    let r = w
        .shopify_delivery(
            &integration,
            "orders/create",
            "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            &body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    assert_eq!(r.body["signature"], "valid");
    assert_eq!(r.body["topic"], "orders/create");
    assert_eq!(r.body["deliveryId"], "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
    let reasons = r.body["reasons"].to_string();
    assert!(reasons.contains("phone_invalid"), "555-555-SHIP: {reasons}");
    let order = w.order(r.body["orderId"].as_str().unwrap()).await;
    assert_eq!(order["source"], "integration");
    assert_eq!(order["status"], "placed");
    assert_eq!(order["externalId"], "#9999");
    // Five shipped lines; total_weight is 0 but the lines weigh 100 + 1000 + 500 g.
    assert_eq!(order["pieces"], 5);
    assert_eq!(order["weight"], 1.6);
    let dropoff = &order["dropoff"];
    assert_eq!(dropoff["address"]["line1"], "123 Shipping Street");
    assert_eq!(dropoff["address"]["city"], "Shippington");
    assert_eq!(dropoff["address"]["state"], "KY");
    assert_eq!(dropoff["address"]["postalCode"], "40003");
    assert_eq!(dropoff["address"]["country"], "US");
    assert_eq!(dropoff["contact"]["name"], "Steve Shipper");
    assert_eq!(dropoff["contact"]["email"], "jon@example.com");
    assert!(
        dropoff["contact"].get("phone").is_none(),
        "no SMS: {dropoff}"
    );
    // Dropoff-only: the client's default pickup.
    assert_eq!(order["pickup"]["address"]["line1"], "1 Market St");
    let inbox = w.inbox(&integration, &w.client.key).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0]["orderId"], order["id"]);
    assert!(inbox[0].get("body").is_none(), "the raw body stays inside");
}

async fn shopify_hmac_vector_verifies_and_bad_signatures_create_nothing(app: TestApp) {
    let w = world(app).await;
    let vectors = fixture_json("shopify-hmac-vector.json");
    let vector = &vectors["vectors"][0];
    let secret = vector["secret"].as_str().unwrap();
    let integration = w
        .integration(json!({"platform": "shopify", "name": "Test shop", "secret": secret, "defaultWeightPerPieceKg": 0.3}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = fixture("shopify-hmac-vector.body.json");
    assert_eq!(body.len(), 5845, "byte-exact fixture");
    let header = vector["expected_header"].as_str().unwrap();
    let headers = |sig: &'static str| {
        vec![
            ("x-shopify-topic", "orders/create"),
            ("x-shopify-webhook-id", "vector-1"),
            ("X-Shopify-Hmac-Sha256", sig),
        ]
    };
    let header: &'static str = Box::leak(header.to_string().into_boxed_str());

    // Tampered body (upstream's negative case), a wrong signature, no signature: 401, nothing.
    let mut tampered = body.clone();
    tampered.extend_from_slice(
        vectors["vectors"][2]["body_suffix"]
            .as_str()
            .unwrap()
            .as_bytes(),
    );
    let r = w.deliver(&integration, &headers(header), &tampered).await;
    assert_eq!(
        (r.status, r.error_code()),
        (401, "invalid_signature"),
        "{}",
        r.text
    );
    let wrong = "kF7V0oviUnb4djunImAPpnFeJondE5aZdoU6wTlVmMA=";
    let r = w.deliver(&integration, &headers(wrong), &body).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = w
        .deliver(&integration, &[("x-shopify-topic", "orders/create")], &body)
        .await;
    assert_eq!((r.status, r.error_code()), (401, "missing_signature"));
    assert!(
        w.orders().await.is_empty(),
        "a bad signature creates nothing"
    );
    let inbox = w.inbox(&integration, &w.client.key).await;
    assert_eq!(inbox.len(), 3);
    assert!(inbox.iter().all(|d| d["outcome"] == "rejected_signature"));
    assert_eq!(inbox[0]["signature"], "missing");
    assert_eq!(inbox[1]["signature"], "invalid");

    // The upstream header verifies the exact bytes.
    let r = w.deliver(&integration, &headers(header), &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    let order = w.order(r.body["orderId"].as_str().unwrap()).await;
    // Every line weighs 0 g: two pieces at the integration's default 0.3 kg.
    assert_eq!(order["pieces"], 2);
    assert_eq!(order["weight"], 0.6);
    assert_eq!(order["externalId"], "#9999");
    assert_eq!(order["dropoff"]["address"]["postalCode"], "K2P0S0");
    assert_eq!(order["dropoff"]["contact"]["email"], "jon@doe.ca");
}

async fn woocommerce_order_and_its_vector_ping_and_redelivery(app: TestApp) {
    let w = world(app).await;
    let vector = fixture_json("woocommerce-webhook-vector.json");
    let delivery = &vector["delivery"];
    let created = w
        .integration(json!({"platform": "woocommerce", "name": "Woo", "secret": delivery["secret"], "defaultWeightPerPieceKg": 0.5}))
        .await;
    let integration = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        created["webhookUrl"],
        format!("https://portal.test/v1/integrations/{integration}/webhook")
    );

    // The unsigned ping: exactly 200, and nothing else.
    let ping = vector["ping"]["body"].as_str().unwrap();
    let r = w
        .deliver(
            &integration,
            &[("content-type", "application/x-www-form-urlencoded")],
            ping.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let body = fixture("woocommerce-order-created.wire.json");
    let headers: Vec<(String, String)> = delivery["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let r = w.deliver(&integration, &refs(&headers), &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    assert_eq!(r.body["topic"], "order.created");
    let order = w.order(r.body["orderId"].as_str().unwrap()).await;
    assert_eq!(order["externalId"], "727");
    assert_eq!(order["pieces"], 3);
    assert_eq!(order["weight"], 1.5, "3 pieces at the default 0.5 kg");
    assert_eq!(order["dropoff"]["address"]["line1"], "969 Market");
    assert_eq!(order["dropoff"]["address"]["postalCode"], "94103");
    assert_eq!(order["dropoff"]["contact"]["name"], "John Doe");
    assert_eq!(
        order["dropoff"]["contact"]["phone"], "+15555555555",
        "billing phone, (555) 555-5555"
    );
    assert_eq!(order["dropoff"]["contact"]["email"], "john.doe@example.com");

    // WooCommerce redelivers with a new delivery id (it changes every second): the same
    // source, order, topic and modification time is the same delivery.
    let mut again = headers.clone();
    for (k, v) in again.iter_mut() {
        if k == "X-WC-Webhook-Delivery-ID" {
            *v = "0123456789abcdef0123456789abcdef".into();
        }
    }
    let r = w.deliver(&integration, &refs(&again), &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "duplicate", "{}", r.text);
    assert_eq!(r.body["orderId"], order["id"]);
    assert_eq!(w.orders().await.len(), 1);
    // A wrong secret is a 401.
    let mut forged = headers.clone();
    for (k, v) in forged.iter_mut() {
        if k == "X-WC-Webhook-Signature" {
            *v = sign(b"not-the-secret", &[&body]);
        }
    }
    let r = w.deliver(&integration, &refs(&forged), &body).await;
    assert_eq!(r.status, 401, "{}", r.text);
}

pub(crate) fn standard_headers(
    secret: &str,
    id: &str,
    at: i64,
    body: &[u8],
) -> Vec<(String, String)> {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let ts = at.to_string();
    let signature = sign(&key, &[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
    vec![
        ("webhook-id".into(), id.into()),
        ("webhook-timestamp".into(), ts),
        ("webhook-signature".into(), format!("v1,{signature}")),
    ]
}

fn refs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn generic_standard_webhooks_within_five_minutes(app: TestApp) {
    let w = world(app).await;
    let created = w
        .integration(json!({"platform": "generic", "name": "ERP"}))
        .await;
    let integration = created["id"].as_str().unwrap().to_string();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let read = w
        .app
        .get(&format!("/v1/integrations/{integration}"), &w.client.key)
        .await;
    assert!(!read.text.contains(&secret), "the secret is shown once");

    let body = json!({
        "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"}, "recipient": {"name": "Marie Curie", "phone": "+33698765432"}},
        "weight": {"value": 2.2, "units": "lb"}, "pieces": 1, "externalId": "ERP-1"
    })
    .to_string();
    let now = w.app.ctx().now().timestamp();
    let stale = standard_headers(&secret, "msg_1", now - 6 * 60, body.as_bytes());
    let r = w
        .deliver(&integration, &refs(&stale), body.as_bytes())
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (401, "invalid_signature"),
        "{}",
        r.text
    );
    let early = standard_headers(&secret, "msg_1", now + 6 * 60, body.as_bytes());
    assert_eq!(
        w.deliver(&integration, &refs(&early), body.as_bytes())
            .await
            .status,
        401
    );
    let fresh = standard_headers(&secret, "msg_1", now - 4 * 60, body.as_bytes());
    let r = w
        .deliver(&integration, &refs(&fresh), body.as_bytes())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    let order = w.order(r.body["orderId"].as_str().unwrap()).await;
    assert_eq!(order["externalId"], "ERP-1");
    assert_eq!(
        order["pickup"]["address"]["line1"], "1 Market St",
        "pickup optional"
    );
    assert_eq!(order["dropoff"]["contact"]["phone"], "+33698765432");
    // The same webhook-id again: a duplicate, nothing changes.
    let r = w
        .deliver(&integration, &refs(&fresh), body.as_bytes())
        .await;
    assert_eq!(r.body["outcome"], "duplicate", "{}", r.text);
    // A body that is not an order: recorded as failed with the field.
    let bad = json!({"dropoff": {"address": {"line1": ""}}}).to_string();
    let h = standard_headers(&secret, "msg_2", now, bad.as_bytes());
    let r = w.deliver(&integration, &refs(&h), bad.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "failed");
    assert!(
        r.body["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("dropoff.address.line1"),
        "{}",
        r.text
    );
    assert_eq!(w.orders().await.len(), 1);
}

async fn ten_concurrent_deliveries_of_one_order_make_one_order(app: TestApp) {
    let w = std::sync::Arc::new(world(app).await);
    let integration = w.shopify().await;
    let body = shopify_order(4242);
    // Five share one webhook id (a redelivery storm), five have their own (Shopify sends
    // the same order again under new ids); each on its own task.
    let deliveries = (0..10).map(|i| {
        let (w, integration, body) = (w.clone(), integration.clone(), body.clone());
        tokio::spawn(async move {
            let id = if i < 5 {
                "same-id".to_string()
            } else {
                format!("id-{i}")
            };
            w.shopify_delivery(&integration, "orders/create", &id, &body)
                .await
        })
    });
    let answers: Vec<TestResponse> = futures::future::join_all(deliveries)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let texts: Vec<_> = answers.iter().map(|r| &r.text).collect();
    assert!(answers.iter().all(|r| r.status == 200), "{texts:?}");
    let created = answers
        .iter()
        .filter(|r| r.body["outcome"] == "created")
        .count();
    assert_eq!(created, 1, "{texts:?}");
    assert!(
        answers
            .iter()
            .filter(|r| r.body["outcome"] != "created")
            .all(|r| r.body["outcome"] == "duplicate"),
        "{texts:?}"
    );
    assert_eq!(w.orders().await.len(), 1, "one platform order, one order");
    assert_eq!(w.inbox(&integration, &w.client.key).await.len(), 10);
}

async fn cancellations_withdraw_or_flag(app: TestApp) {
    let w = world(app).await;
    let integration = w.shopify().await;
    let first = w
        .shopify_delivery(&integration, "orders/create", "c-1", &shopify_order(1))
        .await;
    let second = w
        .shopify_delivery(&integration, "orders/create", "c-2", &shopify_order(2))
        .await;
    let first_id = first.body["orderId"].as_str().unwrap().to_string();
    let second_id = second.body["orderId"].as_str().unwrap().to_string();
    // The courier schedules the second one.
    let order = w.order(&second_id).await;
    let r = w
        .app
        .post(
            &format!(
                "/v1/tasks/{}/events",
                order["pickup"]["id"].as_str().unwrap()
            ),
            &w.courier.key,
            json!({"type": "assigned", "driver": {"name": "Sam Rider"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(w.order(&second_id).await["status"], "scheduled");

    let cancel = |id: u64| {
        json!({"id": id, "name": format!("#{id}"), "cancelled_at": "2026-12-01T10:00:00Z"})
            .to_string()
            .into_bytes()
    };
    let r = w
        .shopify_delivery(&integration, "orders/cancelled", "x-1", &cancel(1))
        .await;
    assert_eq!(r.body["outcome"], "withdrawn", "{}", r.text);
    assert_eq!(r.body["orderId"], first_id.as_str());
    let withdrawn = w.order(&first_id).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(
        withdrawn["timeline"].as_array().unwrap().last().unwrap()["by"],
        format!("integration:{integration}")
    );
    let r = w
        .shopify_delivery(&integration, "orders/cancelled", "x-2", &cancel(2))
        .await;
    assert_eq!(r.body["outcome"], "flagged", "{}", r.text);
    assert!(r.body["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("not_withdrawable"));
    assert_eq!(
        w.order(&second_id).await["status"],
        "scheduled",
        "unchanged"
    );
    // A cancellation of an order the portal never made.
    let r = w
        .shopify_delivery(&integration, "orders/cancelled", "x-3", &cancel(3))
        .await;
    assert_eq!(r.body["outcome"], "ignored", "{}", r.text);
    // A redelivered cancellation changes nothing.
    let r = w
        .shopify_delivery(&integration, "orders/cancelled", "x-1", &cancel(1))
        .await;
    assert_eq!(r.body["outcome"], "duplicate", "{}", r.text);

    // WooCommerce: order.updated with status cancelled.
    let woo = w
        .integration(json!({"platform": "woocommerce", "name": "Woo"}))
        .await;
    let (woo_id, woo_secret) = (
        woo["id"].as_str().unwrap().to_string(),
        woo["secret"].as_str().unwrap().to_string(),
    );
    let mut order = fixture_json("woocommerce-order-created.json");
    let send = |topic: &'static str, body: Vec<u8>| {
        let signature = sign(woo_secret.as_bytes(), &[&body]);
        let w = &w;
        let woo_id = woo_id.clone();
        async move {
            w.deliver(
                &woo_id,
                &[
                    ("x-wc-webhook-topic", topic),
                    ("x-wc-webhook-source", "https://shop.example/"),
                    ("x-wc-webhook-signature", &signature),
                ],
                &body,
            )
            .await
        }
    };
    let r = send("order.created", order.to_string().into_bytes()).await;
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    let woo_order = r.body["orderId"].as_str().unwrap().to_string();
    order["status"] = json!("cancelled");
    order["date_modified_gmt"] = json!("2017-03-22T20:00:00");
    let r = send("order.updated", order.to_string().into_bytes()).await;
    assert_eq!(r.body["outcome"], "withdrawn", "{}", r.text);
    assert_eq!(w.order(&woo_order).await["status"], "withdrawn");
}

async fn refused_when_integrations_are_off_or_the_integration_is_deleted(app: TestApp) {
    let w = world(app).await;
    let integration = w.shopify().await;
    w.patch_client(json!({"integrationsEnabled": false})).await;
    let r = w
        .shopify_delivery(&integration, "orders/create", "r-1", &shopify_order(7))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "refused");
    assert!(r.body["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("integrations_disabled"));
    assert!(w.orders().await.is_empty());
    // Turned on again, the same platform order goes through (a refusal marks nothing).
    w.patch_client(json!({"integrationsEnabled": true})).await;
    let r = w
        .shopify_delivery(&integration, "orders/create", "r-1", &shopify_order(7))
        .await;
    assert_eq!(r.body["outcome"], "created", "{}", r.text);

    let r = w
        .app
        .call(
            "DELETE",
            &format!("/v1/integrations/{integration}"),
            Some(&w.client.key),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = w
        .app
        .get(&format!("/v1/integrations/{integration}"), &w.client.key)
        .await;
    assert_eq!(r.status, 404);
    let listed = w.app.get("/v1/integrations", &w.client.key).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
    let r = w
        .shopify_delivery(&integration, "orders/create", "r-2", &shopify_order(8))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "refused");
    assert!(r.body["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("integration_deleted"));
    assert_eq!(w.orders().await.len(), 1);
    // The inbox of a deleted integration stays readable.
    assert_eq!(w.inbox(&integration, &w.client.key).await.len(), 3);
}

async fn replay_processes_the_stored_body_again_without_a_second_order(app: TestApp) {
    let w = world(app).await;
    let integration = w.shopify().await;
    // No default pickup yet: the order cannot be made.
    w.patch_client(json!({"defaultPickup": null})).await;
    let r = w
        .shopify_delivery(&integration, "orders/create", "p-1", &shopify_order(11))
        .await;
    assert_eq!(r.body["outcome"], "failed", "{}", r.text);
    assert!(
        r.body["reasons"].to_string().contains("pickup"),
        "{}",
        r.text
    );
    let failed = r.body["id"].as_str().unwrap().to_string();
    w.patch_client(json!({"defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon"}}}))
        .await;
    // The courier replays it once the client is set up.
    let replay = |key: String| {
        let w = &w;
        let uri = format!("/v1/integrations/{integration}/deliveries/{failed}/replay");
        async move { w.app.call("POST", &uri, Some(&key), None).await }
    };
    let r = replay(w.courier.key.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    assert_eq!(r.body["replayOf"], failed.as_str());
    let order_id = r.body["orderId"].as_str().unwrap().to_string();
    // Again: still one order.
    let r = replay(w.client.key.clone()).await;
    assert_eq!(r.body["outcome"], "duplicate", "{}", r.text);
    assert_eq!(r.body["orderId"], order_id.as_str());
    assert_eq!(w.orders().await.len(), 1);
    // A delivery whose signature failed is never replayed.
    let forged = w
        .deliver(
            &integration,
            &[
                ("x-shopify-topic", "orders/create"),
                ("x-shopify-hmac-sha256", "AAAA"),
            ],
            &shopify_order(12),
        )
        .await;
    assert_eq!(forged.status, 401);
    let inbox = w.inbox(&integration, &w.client.key).await;
    let rejected = inbox[0]["id"].as_str().unwrap();
    let r = w
        .app
        .call(
            "POST",
            &format!("/v1/integrations/{integration}/deliveries/{rejected}/replay"),
            Some(&w.client.key),
            None,
        )
        .await;
    assert_eq!((r.status, r.error_code()), (409, "unsigned_delivery"));
}

/// Anyone may post to a webhook URL: a delivery whose signature fails keeps its record (when,
/// outcome, size, the headers processing reads) but not its body, which could be 256 KB
/// kept 90 days per post. It cannot be replayed, and says so.
async fn an_unsigned_delivery_is_recorded_without_its_body(app: TestApp) {
    let w = world(app).await;
    let integration = w.shopify().await;
    let big = json!({"id": 1, "note": "x".repeat(200 * 1024)}).to_string();
    for (signature, headers) in [
        ("missing", vec![("x-shopify-topic", "orders/create")]),
        (
            "invalid",
            vec![
                ("x-shopify-topic", "orders/create"),
                ("x-shopify-hmac-sha256", "AAAA"),
            ],
        ),
    ] {
        let r = w.deliver(&integration, &headers, big.as_bytes()).await;
        assert_eq!(r.status, 401, "{}", r.text);
        let inbox = w.inbox(&integration, &w.client.key).await;
        let delivery = &inbox[0];
        assert_eq!(delivery["signature"], signature, "{delivery}");
        assert_eq!(delivery["outcome"], "rejected_signature");
        assert_eq!(delivery["bodyBytes"], big.len(), "{delivery}");
        assert_eq!(delivery["bodyKept"], false, "{delivery}");
        let id = delivery["id"].as_str().unwrap();
        let item = w
            .app
            .store
            .get(&portal::store::keys::delivery(&integration, id))
            .await
            .unwrap()
            .expect("the record is stored");
        assert!(
            item.get("body").is_none(),
            "{} bytes of an unsigned body stored",
            item["body"].as_str().map_or(0, str::len)
        );
        assert_eq!(item["bodyBytes"], big.len());
        assert_eq!(item["outcome"], "rejected_signature");
        assert_eq!(
            item["headers"],
            json!([["x-shopify-topic", "orders/create"]])
        );
        let r = w
            .app
            .call(
                "POST",
                &format!("/v1/integrations/{integration}/deliveries/{id}/replay"),
                Some(&w.client.key),
                None,
            )
            .await;
        assert_eq!((r.status, r.error_code()), (409, "unsigned_delivery"));
    }
    // A signed delivery keeps its body, for replay.
    let body = shopify_order(21);
    let r = w
        .shopify_delivery(&integration, "orders/create", "k-1", &body)
        .await;
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    assert_eq!(
        (&r.body["bodyBytes"], &r.body["bodyKept"]),
        (&json!(body.len()), &json!(true))
    );
    let item = w
        .app
        .store
        .get(&portal::store::keys::delivery(
            &integration,
            r.body["id"].as_str().unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item["body"].as_str().map(str::len), Some(body.len()));
}

async fn the_inbox_lists_newest_first_and_other_tenants_get_404(app: TestApp) {
    let w = world(app).await;
    let integration = w.shopify().await;
    for n in 0..3 {
        let r = w
            .shopify_delivery(
                &integration,
                "orders/create",
                &format!("l-{n}"),
                &shopify_order(100 + n),
            )
            .await;
        assert_eq!(r.body["outcome"], "created", "{}", r.text);
    }
    let uri = format!("/v1/integrations/{integration}/deliveries");
    let page = w.app.get(&format!("{uri}?limit=2"), &w.client.key).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["deliveryId"], "l-2", "newest first");
    let cursor = page.body["nextCursor"].as_str().unwrap();
    let rest = w
        .app
        .get(&format!("{uri}?limit=2&cursor={cursor}"), &w.client.key)
        .await;
    assert_eq!(rest.body["items"][0]["deliveryId"], "l-0");
    assert!(rest.body.get("nextCursor").is_none());
    let one = items[0]["id"].as_str().unwrap();
    let read = w.app.get(&format!("{uri}/{one}"), &w.courier.key).await;
    assert_eq!(read.status, 200, "the courier reads its client's inbox");
    assert_eq!(read.body["id"], one);
    let listed = w
        .app
        .get(
            &format!("/v1/integrations?clientId={}", w.client.id),
            &w.courier.key,
        )
        .await;
    assert_eq!(listed.body["items"][0]["id"], integration.as_str());

    // Another client of the same courier, and another courier: 404 everywhere.
    let other_client = w
        .app
        .onboard_client(&w.courier, "Other Shop", "orders@other.example")
        .await;
    let other_courier = w.app.create_courier("Other Couriers").await;
    for key in [&other_client.key, &other_courier.key] {
        for (method, path) in [
            ("GET", format!("/v1/integrations/{integration}")),
            ("PATCH", format!("/v1/integrations/{integration}")),
            ("DELETE", format!("/v1/integrations/{integration}")),
            ("GET", uri.clone()),
            ("GET", format!("{uri}/{one}")),
            ("POST", format!("{uri}/{one}/replay")),
        ] {
            let body = (method == "PATCH").then(|| json!({"name": "Mine"}));
            let r = w.app.call(method, &path, Some(key), body).await;
            assert!(
                r.status == 404 || (r.status == 403 && key == &other_courier.key),
                "{method} {path}: {} {}",
                r.status,
                r.text
            );
        }
    }
    let theirs = w
        .app
        .get(
            &format!("/v1/integrations?clientId={}", w.client.id),
            &other_courier.key,
        )
        .await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 0);
}

async fn secrets_rotate_and_bad_input_gets_field_errors(app: TestApp) {
    let w = world(app).await;
    for (body, field) in [
        (json!({"platform": "magento", "name": "x"}), "platform"),
        (json!({"platform": "shopify", "name": "x"}), "secret"),
        (
            json!({"platform": "shopify", "name": "x", "secret": "short"}),
            "secret",
        ),
        (
            json!({"platform": "generic", "name": "x", "secret": "not-a-whsec-secret"}),
            "secret",
        ),
        (json!({"platform": "woocommerce", "name": "", }), "name"),
        (
            json!({"platform": "woocommerce", "name": "x", "defaultWeightPerPieceKg": -1}),
            "defaultWeightPerPieceKg",
        ),
        (
            json!({"platform": "woocommerce", "name": "x", "extra": 1}),
            "extra",
        ),
    ] {
        let r = w
            .app
            .post("/v1/integrations", &w.client.key, body.clone())
            .await;
        assert_eq!(
            (r.status, r.error_field()),
            (422, field),
            "{body}: {}",
            r.text
        );
    }
    let r = w
        .app
        .post(
            "/v1/integrations",
            &w.courier.key,
            json!({"platform": "generic", "name": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "the client manages its integrations");

    let integration = w.shopify().await;
    let uri = format!("/v1/integrations/{integration}");
    let patch = |body: Value| {
        let w = &w;
        let uri = uri.clone();
        async move {
            w.app
                .call("PATCH", &uri, Some(&w.client.key), Some(body))
                .await
        }
    };
    let r = patch(json!({"addSecret": {}})).await;
    assert_eq!(
        (r.status, r.error_field()),
        (422, "addSecret.secret"),
        "Shopify secrets are pasted"
    );
    let r = patch(json!({"addSecret": {"secret": "shpss_new_app_secret_9876543210"}})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let secrets = r.body["secrets"].as_array().unwrap().clone();
    assert_eq!(secrets.len(), 2);
    assert!(!r.text.contains("shpss_"), "secrets are never shown again");
    // Both verify during the rotation.
    let body = shopify_order(55);
    for (n, secret) in [SHOPIFY_SECRET, "shpss_new_app_secret_9876543210"]
        .iter()
        .enumerate()
    {
        let signature = sign(secret.as_bytes(), &[&body]);
        let r = w
            .deliver(
                &integration,
                &[
                    ("x-shopify-topic", "orders/create"),
                    ("x-shopify-webhook-id", &format!("rot-{n}")),
                    ("x-shopify-hmac-sha256", &signature),
                ],
                &body,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = patch(json!({"addSecret": {"secret": "shpss_third_secret_000000000000"}})).await;
    assert_eq!((r.status, r.error_field()), (422, "addSecret"));
    let r = patch(json!({"removeSecret": secrets[0]["id"]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let signature = sign(SHOPIFY_SECRET.as_bytes(), &[&body]);
    let r = w
        .deliver(
            &integration,
            &[
                ("x-shopify-topic", "orders/create"),
                ("x-shopify-webhook-id", "rot-3"),
                ("x-shopify-hmac-sha256", &signature),
            ],
            &body,
        )
        .await;
    assert_eq!(r.status, 401, "the removed secret no longer verifies");
    let r = patch(json!({"removeSecret": secrets[1]["id"]})).await;
    assert_eq!(
        (r.status, r.error_field()),
        (422, "removeSecret"),
        "never the last one"
    );
    let r = patch(json!({"name": "Renamed", "defaultWeightPerPieceKg": 1.25, "version": 1})).await;
    assert_eq!((r.status, r.error_code()), (409, "version_conflict"));
    let r = patch(json!({"name": "Renamed", "defaultWeightPerPieceKg": 1.25})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Renamed");
    assert_eq!(r.body["defaultWeightPerPieceKg"], 1.25);
    // A generic integration's added secret is generated and shown once.
    let generic = w
        .integration(json!({"platform": "generic", "name": "ERP"}))
        .await;
    let r = w
        .app
        .call(
            "PATCH",
            &format!("/v1/integrations/{}", generic["id"].as_str().unwrap()),
            Some(&w.client.key),
            Some(json!({"addSecret": {}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_ne!(r.body["secret"], generic["secret"]);
}

async fn nothing_to_ship_and_local_pickup_are_ignored(app: TestApp) {
    let w = world(app).await;
    let integration = w.shopify().await;
    let mut digital: Value = serde_json::from_slice(&shopify_order(900)).unwrap();
    digital["line_items"][0]["requires_shipping"] = json!(false);
    let r = w
        .shopify_delivery(
            &integration,
            "orders/create",
            "i-1",
            digital.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.body["outcome"], "ignored", "{}", r.text);
    assert!(r.body["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("nothing_to_ship"));
    let mut pickup: Value = serde_json::from_slice(&shopify_order(901)).unwrap();
    pickup["shipping_lines"] =
        json!([{"title": "Local Pickup", "code": "Pickup", "delivery_category": "pick-up"}]);
    let r = w
        .shopify_delivery(
            &integration,
            "orders/create",
            "i-2",
            pickup.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.body["outcome"], "ignored", "{}", r.text);
    assert!(r.body["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("local_pickup"));
    let r = w
        .shopify_delivery(&integration, "products/update", "i-3", b"{}")
        .await;
    assert_eq!(r.body["outcome"], "ignored", "{}", r.text);
    assert!(w.orders().await.is_empty());
    // A dropoff window in the order's attributes.
    let mut windowed: Value = serde_json::from_slice(&shopify_order(902)).unwrap();
    windowed["note_attributes"] = json!([
        {"name": "delivery_window_start", "value": "2026-12-02T09:00:00+01:00"},
        {"name": "delivery_window_end", "value": "2026-12-02T12:00:00+01:00"}
    ]);
    let r = w
        .shopify_delivery(
            &integration,
            "orders/create",
            "i-4",
            windowed.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    let order = w.order(r.body["orderId"].as_str().unwrap()).await;
    assert_eq!(
        order["dropoff"]["window"]["completeBefore"],
        "2026-12-02T12:00:00+01:00"
    );
}

async fn a_webhook_delivery_costs_at_most_four_dynamodb_calls(app: TestApp) {
    if app.backend != Backend::Moto {
        return; // Calls are counted at the DynamoDB client.
    }
    let w = world(app).await;
    let integration = w.shopify().await;
    let body = shopify_order(77);
    w.app.calls.take();
    let r = w
        .shopify_delivery(&integration, "orders/create", "k-1", &body)
        .await;
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    assert_eq!(
        w.app.calls.take(),
        4,
        "GetItem, BatchGetItem, BatchWriteItem (the search terms), TransactWriteItems"
    );
    let r = w
        .shopify_delivery(&integration, "orders/create", "k-1", &body)
        .await;
    assert_eq!(r.body["outcome"], "duplicate");
    assert_eq!(
        w.app.calls.take(),
        3,
        "a redelivery: GetItem, BatchGetItem, PutItem"
    );
    let r = w
        .shopify_delivery(&integration, "orders/create", "k-2", &body)
        .await;
    assert_eq!(r.body["outcome"], "duplicate");
    assert_eq!(w.app.calls.take(), 3, "another delivery of the same order");
    let r = w
        .deliver(
            &integration,
            &[
                ("x-shopify-topic", "orders/create"),
                ("x-shopify-hmac-sha256", "AAAA"),
            ],
            &body,
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(w.app.calls.take(), 2, "a bad signature: GetItem, PutItem");
    let cancel = json!({"id": 77}).to_string();
    let r = w
        .shopify_delivery(&integration, "orders/cancelled", "k-3", cancel.as_bytes())
        .await;
    assert_eq!(r.body["outcome"], "withdrawn", "{}", r.text);
    assert_eq!(
        w.app.calls.take(),
        3,
        "a cancellation: GetItem, BatchGetItem, TransactWriteItems"
    );
}

async fn orders_are_quoted_with_the_clients_rule_and_unquotable_ones_drafted(app: TestApp) {
    let w = world(app).await;
    let c = &w.courier.key;
    let service = w
        .app
        .post(
            "/v1/services",
            c,
            json!({"name": "Same day", "sla": {"kind": "same_day", "hours": 4}, "maxWeightKg": 1,
                   "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "23:59"}}),
        )
        .await;
    assert_eq!(service.status, 201, "{}", service.text);
    let rates = w
        .app
        .post(
            "/v1/rate-tables",
            c,
            json!({"name": "Standard", "currency": "EUR", "base": {"method": "flat", "amount": 900}}),
        )
        .await;
    assert_eq!(rates.status, 201, "{}", rates.text);
    let r = w
        .app
        .call(
            "PUT",
            &format!("/v1/clients/{}/services", w.client.id),
            Some(c),
            Some(json!({"services": [{"serviceId": service.body["id"], "rateTableId": rates.body["id"]}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let integration = w.shopify().await;
    // 2 × 250 g: the service takes it, at the table's price.
    w.app.calls.take();
    let r = w
        .shopify_delivery(&integration, "orders/create", "q-1", &shopify_order(301))
        .await;
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    if w.app.backend == Backend::Moto {
        assert_eq!(
            w.app.calls.take(),
            4,
            "quoted from the client item: still 4 calls"
        );
    }
    let order = w.order(r.body["orderId"].as_str().unwrap()).await;
    assert_eq!(order["status"], "placed");
    assert_eq!(order["quote"]["serviceId"], service.body["id"]);
    assert_eq!(order["quote"]["price"], 900);
    assert_eq!(order["quote"]["currency"], "EUR");
    assert_eq!(
        order["pickup"]["window"]["completeAfter"],
        Value::Null,
        "the depot has no window"
    );
    // Only a dropoff window from the shop: ready-by and due-by both come from the dropoff
    // task (seed 003), not "now".
    let mut windowed: Value = serde_json::from_slice(&shopify_order(303)).unwrap();
    windowed["note_attributes"] = json!([
        {"name": "delivery_window_start", "value": "2030-03-05T09:00:00+01:00"},
        {"name": "delivery_window_end", "value": "2030-03-05T18:00:00+01:00"}
    ]);
    let r = w
        .shopify_delivery(
            &integration,
            "orders/create",
            "q-3",
            windowed.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.body["outcome"], "created", "{}", r.text);
    let order = w.order(r.body["orderId"].as_str().unwrap()).await;
    let instant = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}")))
            .unwrap()
            .with_timezone(&chrono::Utc)
            .to_rfc3339()
    };
    assert_eq!(
        instant(&order["quote"]["readyBy"]),
        "2030-03-05T08:00:00+00:00",
        "{order}"
    );
    assert_eq!(
        instant(&order["quote"]["completeBy"]),
        "2030-03-05T12:00:00+00:00",
        "ready at the window's start, plus the service's 4 hours: {order}"
    );
    // 10 × 250 g is over the service's 1 kg: a draft with its reasons.
    let mut heavy: Value = serde_json::from_slice(&shopify_order(302)).unwrap();
    heavy["line_items"][0]["quantity"] = json!(10);
    w.app.calls.take();
    let r = w
        .shopify_delivery(
            &integration,
            "orders/create",
            "q-2",
            heavy.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.body["outcome"], "drafted", "{}", r.text);
    if w.app.backend == Backend::Moto {
        assert_eq!(w.app.calls.take(), 4);
    }
    assert!(
        r.body["reasons"].to_string().contains("too_heavy"),
        "{}",
        r.text
    );
    let draft = w.order(r.body["orderId"].as_str().unwrap()).await;
    assert_eq!(draft["status"], "draft");
    assert!(
        draft["draftReasons"].to_string().contains("too_heavy"),
        "{draft}"
    );
    let inbox = w.inbox(&integration, &w.courier.key).await;
    assert_eq!(
        inbox
            .iter()
            .map(|d| d["outcome"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["drafted", "created", "created"]
    );
    // A generic body naming that service for a parcel it cannot take: a draft, with why.
    let generic = w
        .integration(json!({"platform": "generic", "name": "ERP"}))
        .await;
    let secret = generic["secret"].as_str().unwrap();
    let body = json!({
        "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"}},
        "weight": 5, "pieces": 1, "externalId": "ERP-9", "serviceId": service.body["id"]
    })
    .to_string();
    let now = w.app.ctx().now().timestamp();
    let headers = standard_headers(secret, "msg_9", now, body.as_bytes());
    let r = w
        .deliver(
            generic["id"].as_str().unwrap(),
            &refs(&headers),
            body.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["outcome"], "drafted", "{}", r.text);
    assert_eq!(r.body["reasons"], json!(["too_heavy"]), "{}", r.text);
}
