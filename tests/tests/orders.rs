//! Orders between a client and its courier: lifecycle, drafts, idempotency, search,
//! concurrency, tenants, export, and the DynamoDB calls each endpoint makes.

use portal_tests::{on_both_backends, Backend, Org, TestApp};
use serde_json::{json, Value};

on_both_backends!(
    an_order_goes_from_placed_through_rejection_to_completed,
    drafts_are_finalized_and_orders_withdrawn_until_scheduled,
    an_idempotency_key_replays_and_refuses_another_body,
    a_create_whose_search_terms_fail_places_no_order,
    ten_concurrent_creates_with_one_key_make_one_order,
    orders_are_listed_newest_first_searched_and_filtered,
    edits_need_the_current_version_and_stop_at_the_pickup,
    reject_and_start_race_and_exactly_one_wins,
    two_edits_race_and_exactly_one_wins,
    another_tenants_order_is_not_found_on_every_route,
    the_export_is_csv_safe_for_spreadsheets,
    a_courier_creates_orders_for_a_client_and_auto_assign_applies,
    bad_order_input_gets_field_errors,
);

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
    World {
        app,
        courier,
        client,
    }
}

fn new_order(recipient: &str, external_id: &str) -> Value {
    json!({
        "pickup": {"address": {"line1": "1 Market St", "city": "Lyon", "country": "FR"}, "contact": {"name": "Ana", "phone": "+33612345678"}, "requirements": {}},
        "dropoff": {
            "address": {"line1": "9 Rue de la Paix", "city": "Paris", "postalCode": "75002"},
            "recipient": {"name": recipient, "phone": "+33698765432"},
            "window": {"completeAfter": "2026-12-01T09:00:00+01:00", "completeBefore": "2026-12-01T12:00:00+01:00"},
            "requirements": {"signature": true, "minimumAge": 18}
        },
        "weight": 2.5, "pieces": 1, "notes": "Fragile", "externalId": external_id
    })
}

impl World {
    async fn create(&self, body: Value) -> Value {
        let response = self.app.post("/v1/orders", &self.client.key, body).await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.body
    }

    async fn event(&self, task_id: &Value, body: Value) -> (u16, Value) {
        let response = self
            .app
            .post(
                &format!("/v1/tasks/{}/events", task_id.as_str().unwrap()),
                &self.courier.key,
                body,
            )
            .await;
        (response.status, response.body)
    }

    async fn order(&self, id: &str, key: &str) -> Value {
        self.app.get(&format!("/v1/orders/{id}"), key).await.body
    }
}

async fn an_order_goes_from_placed_through_rejection_to_completed(app: TestApp) {
    let w = world(app).await;
    let order = w.create(new_order("Marie Curie", "SHOP-1001")).await;
    assert_eq!(order["status"], "placed");
    assert_eq!(order["clientName"], "Bloom Florist");
    assert_eq!(order["source"], "portal");
    let short = order["shortId"].as_str().unwrap();
    assert_eq!(short.len(), 8);
    assert!(order["trackingUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://portal.test/track/"));
    assert!(order.get("trackingToken").is_none());
    assert_eq!(order["dropoff"]["dependsOn"], order["pickup"]["id"]);
    assert_eq!(order["dropoff"]["contact"]["name"], "Marie Curie");
    assert_eq!(
        (order["pickup"]["state"].as_str(), order["version"].as_u64()),
        (Some("unassigned"), Some(1))
    );
    let id = order["id"].as_str().unwrap();
    assert_eq!(
        w.order(short, &w.client.key).await["id"],
        id,
        "found by short id too"
    );

    let no_reason = w
        .app
        .post(
            &format!("/v1/orders/{id}/reject"),
            &w.courier.key,
            json!({}),
        )
        .await;
    assert_eq!((no_reason.status, no_reason.error_field()), (422, "reason"));
    let rejected = w
        .app
        .post(
            &format!("/v1/orders/{id}/reject"),
            &w.courier.key,
            json!({"reason": "We do not deliver to Paris on Sundays"}),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    let seen = w.order(id, &w.client.key).await;
    assert_eq!(
        (
            seen["status"].as_str(),
            seen["rejection"]["reason"].as_str()
        ),
        (
            Some("rejected"),
            Some("We do not deliver to Paris on Sundays")
        )
    );

    let edited = w.app.call("PATCH", &format!("/v1/orders/{id}"), Some(&w.client.key), Some(json!({"version": seen["version"], "dropoff": {"address": {"line1": "2 Quai Claude Bernard", "city": "Lyon"}, "recipient": {"name": "Marie Curie"}}}))).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    let resubmitted = w
        .app
        .post(
            &format!("/v1/orders/{id}/resubmit"),
            &w.client.key,
            json!({}),
        )
        .await;
    assert_eq!(
        (resubmitted.status, resubmitted.body["status"].as_str()),
        (200, Some("placed"))
    );
    assert_eq!(resubmitted.body["id"], id, "same order id");
    let whats: Vec<&str> = resubmitted.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        whats,
        ["placed", "rejected", "edited", "resubmitted"],
        "history kept"
    );

    let (pickup, dropoff) = (&order["pickup"]["id"], &order["dropoff"]["id"]);
    let driver = json!({"name": "Sam Rider", "phone": "+33611111111"});
    let north = w.app.create_team(&w.courier, "North").await;
    let steps = [
        (
            pickup,
            json!({"type": "assigned", "driver": driver, "teamId": north}),
            "scheduled",
        ),
        (
            dropoff,
            json!({"type": "assigned", "driver": driver}),
            "scheduled",
        ),
        (pickup, json!({"type": "started"}), "in_progress"),
        (pickup, json!({"type": "arrived"}), "in_progress"),
        (pickup, json!({"type": "completed"}), "in_progress"),
        (dropoff, json!({"type": "started"}), "in_progress"),
        (
            dropoff,
            json!({"type": "eta", "eta": "2026-12-01T10:30:00+01:00"}),
            "in_progress",
        ),
        (dropoff, json!({"type": "arrived"}), "in_progress"),
        (
            dropoff,
            json!({"type": "completed", "proof": {"signature": "https://cdn.example/sig.png", "photos": ["https://cdn.example/door.jpg"], "notes": "Left with concierge"}}),
            "completed",
        ),
    ];
    let mut version = 0;
    for (task, body, status) in steps {
        let (code, after) = w.event(task, body.clone()).await;
        assert_eq!(
            (code, after["status"].as_str()),
            (200, Some(status)),
            "{body}: {after}"
        );
        assert!(
            after["version"].as_u64().unwrap() > version,
            "version only grows"
        );
        version = after["version"].as_u64().unwrap();
    }
    let done = w.order(id, &w.client.key).await;
    assert_eq!(
        done["dropoff"]["proof"]["photos"][0],
        "https://cdn.example/door.jpg"
    );
    assert_eq!(done["pickup"]["driver"]["name"], "Sam Rider");
    assert_eq!(done["dropoff"]["eta"], "2026-12-01T09:30:00.000Z");
    let late = w
        .app
        .post(
            &format!("/v1/orders/{id}/reject"),
            &w.courier.key,
            json!({"reason": "too late"}),
        )
        .await;
    assert_eq!((late.status, late.error_code()), (409, "invalid_state"));
    let (code, _) = w.event(pickup, json!({"type": "started"})).await;
    assert_eq!(code, 409);
}

async fn drafts_are_finalized_and_orders_withdrawn_until_scheduled(app: TestApp) {
    let w = world(app).await;
    let mut body = new_order("Ada", "D-1");
    body["draft"] = json!(true);
    let draft = w.create(body).await;
    assert_eq!(draft["status"], "draft");
    let id = draft["id"].as_str().unwrap();
    let finalized = w
        .app
        .post(
            &format!("/v1/orders/{id}/finalize"),
            &w.client.key,
            json!({}),
        )
        .await;
    assert_eq!(finalized.body["status"], "placed");
    let twice = w
        .app
        .post(
            &format!("/v1/orders/{id}/finalize"),
            &w.client.key,
            json!({}),
        )
        .await;
    assert_eq!(twice.status, 409);
    let withdrawn = w
        .app
        .post(
            &format!("/v1/orders/{id}/withdraw"),
            &w.client.key,
            json!({}),
        )
        .await;
    assert_eq!(withdrawn.body["status"], "withdrawn");

    let scheduled = w.create(new_order("Grace", "D-2")).await;
    let (code, _) = w
        .event(
            &scheduled["pickup"]["id"],
            json!({"type": "assigned", "driver": {"name": "Sam"}}),
        )
        .await;
    assert_eq!(code, 200);
    let refused = w
        .app
        .post(
            &format!("/v1/orders/{}/withdraw", scheduled["id"].as_str().unwrap()),
            &w.client.key,
            json!({}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (409, "invalid_state")
    );
    let courier_withdraw = w
        .app
        .post(
            &format!("/v1/orders/{id}/withdraw"),
            &w.courier.key,
            json!({}),
        )
        .await;
    assert_eq!(courier_withdraw.status, 403);
}

async fn an_idempotency_key_replays_and_refuses_another_body(app: TestApp) {
    let w = world(app).await;
    let body = new_order("Ada", "I-1").to_string();
    let auth = format!("Bearer {}", w.client.key);
    let headers = [
        ("authorization", auth.as_str()),
        ("idempotency-key", "order-42"),
    ];
    let first = w
        .app
        .raw("POST", "/v1/orders", &headers, body.clone().into())
        .await;
    let second = w
        .app
        .raw("POST", "/v1/orders", &headers, body.clone().into())
        .await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(
        first.body["id"], second.body["id"],
        "the first response is replayed"
    );
    let other = w
        .app
        .raw(
            "POST",
            "/v1/orders",
            &headers,
            new_order("Bob", "I-2").to_string().into(),
        )
        .await;
    assert_eq!(
        (other.status, other.error_code()),
        (422, "idempotency_key_reused")
    );
    let listed = w.app.get("/v1/orders", &w.client.key).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    // The search terms go before the order's transaction: those of the attempts that
    // replayed or were refused are deleted, so the index holds the one order's terms only.
    let terms = w
        .app
        .store
        .query(&portal::store::Query::partition(
            portal::store::keys::search_pk(&w.courier.id),
        ))
        .await
        .unwrap()
        .items;
    assert!(!terms.is_empty(), "the order is indexed");
    for term in &terms {
        assert_eq!(term["orderId"], first.body["id"], "a stray term: {term:?}");
    }
    let found = w.app.get("/v1/orders?q=ada", &w.client.key).await.body["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(found, 1, "found by search");
}

/// The search terms are written before the order's transaction: when they cannot be (a
/// BatchWriteItem throttled past its retries), the call fails (429, retry), and no order
/// exists that search could not find.
async fn a_create_whose_search_terms_fail_places_no_order(app: TestApp) {
    let w = world(app).await;
    let function = portal_local::functions::http_function("create-order").unwrap();
    let mut ctx = w.app.ctx().wired_for(function.needs);
    ctx.store = std::sync::Arc::new(NoBatchWrites(ctx.store.clone()));
    let principal = portal::auth::authorize(
        w.app.store.as_ref(),
        Some(&format!("Bearer {}", w.client.key)),
    )
    .await
    .unwrap()
    .expect("a valid key");
    let request = portal::http::ApiRequest {
        method: "POST".into(),
        body: new_order("Ada", "T-1").to_string().into(),
        auth: Some(Ok(principal)),
        ..Default::default()
    };
    let response = (function.handler)(std::sync::Arc::new(ctx), request).await;
    assert_eq!(response.status, 429, "throttled: retry");
    let listed = w.app.get("/v1/orders", &w.client.key).await;
    assert_eq!(listed.body["items"], json!([]), "no order placed");
    // The same request again, the store well: placed and found.
    w.create(new_order("Ada", "T-1")).await;
    let found = w.app.get("/v1/orders?q=ada", &w.client.key).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
}

/// A store whose BatchWriteItem is always throttled.
struct NoBatchWrites(std::sync::Arc<dyn portal::store::Store>);

#[async_trait::async_trait]
impl portal::store::Store for NoBatchWrites {
    async fn get(
        &self,
        key: &portal::store::Key,
    ) -> Result<Option<portal::store::Item>, portal::store::StoreError> {
        self.0.get(key).await
    }
    async fn batch_get(
        &self,
        keys: &[portal::store::Key],
    ) -> Result<Vec<Option<portal::store::Item>>, portal::store::StoreError> {
        self.0.batch_get(keys).await
    }
    async fn put(
        &self,
        item: portal::store::Item,
        cond: Option<portal::store::Cond>,
    ) -> Result<(), portal::store::StoreError> {
        self.0.put(item, cond).await
    }
    async fn update(
        &self,
        key: &portal::store::Key,
        update: &portal::store::Update,
        cond: Option<portal::store::Cond>,
    ) -> Result<portal::store::Item, portal::store::StoreError> {
        self.0.update(key, update, cond).await
    }
    async fn delete(
        &self,
        key: &portal::store::Key,
        cond: Option<portal::store::Cond>,
    ) -> Result<(), portal::store::StoreError> {
        self.0.delete(key, cond).await
    }
    async fn transact(
        &self,
        writes: Vec<portal::store::Write>,
    ) -> Result<(), portal::store::StoreError> {
        self.0.transact(writes).await
    }
    async fn write_each(
        &self,
        _: Vec<portal::store::Write>,
    ) -> Result<Vec<Result<(), portal::store::StoreError>>, portal::store::StoreError> {
        Err(portal::store::StoreError::Throttled)
    }
    async fn query(
        &self,
        query: &portal::store::Query,
    ) -> Result<portal::store::Page, portal::store::StoreError> {
        self.0.query(query).await
    }
}

async fn ten_concurrent_creates_with_one_key_make_one_order(app: TestApp) {
    let w = std::sync::Arc::new(world(app).await);
    let body = new_order("Ada", "C-1").to_string();
    let attempts = (0..10).map(|_| {
        let (w, body) = (w.clone(), body.clone());
        tokio::spawn(async move {
            let auth = format!("Bearer {}", w.client.key);
            let headers = [
                ("authorization", auth.as_str()),
                ("idempotency-key", "same-key"),
            ];
            w.app.raw("POST", "/v1/orders", &headers, body.into()).await
        })
    });
    let responses: Vec<_> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let ids: std::collections::BTreeSet<_> = responses
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.body["id"].to_string())
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "{:?}",
        responses
            .iter()
            .map(|r| (r.status, r.text.clone()))
            .collect::<Vec<_>>()
    );
    let listed = w.app.get("/v1/orders", &w.courier.key).await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "exactly one order"
    );
}

async fn orders_are_listed_newest_first_searched_and_filtered(app: TestApp) {
    let w = world(app).await;
    let other_client = w
        .app
        .onboard_client(&w.courier, "Corner Pharmacy", "rx@corner.example")
        .await;
    let a = w.create(new_order("Marie Curie", "SHOP-1")).await;
    let b = w.create(new_order("Pierre Curie", "SHOP-2")).await;
    let c = w.create(new_order("Irene Joliot", "SHOP-3")).await;
    let theirs = w
        .app
        .post(
            "/v1/orders",
            &other_client.key,
            new_order("Someone", "RX-9"),
        )
        .await
        .body;
    w.app
        .post(
            &format!("/v1/orders/{}/reject", b["id"].as_str().unwrap()),
            &w.courier.key,
            json!({"reason": "no"}),
        )
        .await;

    let ids = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let own = w.app.get("/v1/orders", &w.client.key).await.body;
    assert_eq!(
        ids(&own),
        [&c["id"], &b["id"], &a["id"]].map(|v| v.as_str().unwrap().to_string()),
        "own only, newest first"
    );
    let all = w.app.get("/v1/orders", &w.courier.key).await.body;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    assert_eq!(all["items"][0]["clientName"], "Corner Pharmacy");
    let by_client = w
        .app
        .get(
            &format!("/v1/orders?clientId={}", other_client.id),
            &w.courier.key,
        )
        .await
        .body;
    assert_eq!(
        ids(&by_client),
        [theirs["id"].as_str().unwrap().to_string()]
    );

    for (q, expected) in [
        ("curie", 2),
        ("SHOP-3", 1),
        (a["shortId"].as_str().unwrap(), 1),
        ("rue de la paix", 3),
        ("nobody", 0),
    ] {
        let found = w
            .app
            .get(
                &format!("/v1/orders?q={}", q.replace(' ', "+")),
                &w.client.key,
            )
            .await
            .body;
        assert_eq!(found["items"].as_array().unwrap().len(), expected, "q={q}");
    }
    let rejected = w
        .app
        .get("/v1/orders?status=rejected", &w.client.key)
        .await
        .body;
    assert_eq!(ids(&rejected), [b["id"].as_str().unwrap().to_string()]);
    let several = w
        .app
        .get("/v1/orders?status=rejected&status=placed", &w.client.key)
        .await
        .body;
    assert_eq!(several["items"].as_array().unwrap().len(), 3);
    let bad = w.app.get("/v1/orders?status=lost", &w.client.key).await;
    assert_eq!((bad.status, bad.error_field()), (422, "status"));

    let page1 = w.app.get("/v1/orders?limit=2", &w.client.key).await.body;
    let page2 = w
        .app
        .get(
            &format!(
                "/v1/orders?limit=2&cursor={}",
                page1["nextCursor"].as_str().unwrap()
            ),
            &w.client.key,
        )
        .await
        .body;
    assert_eq!(ids(&page2), [a["id"].as_str().unwrap().to_string()]);
    assert!(page2.get("nextCursor").is_none());
}

async fn edits_need_the_current_version_and_stop_at_the_pickup(app: TestApp) {
    let w = world(app).await;
    let order = w.create(new_order("Ada", "E-1")).await;
    let id = order["id"].as_str().unwrap();
    let uri = format!("/v1/orders/{id}");
    let missing = w
        .app
        .call(
            "PATCH",
            &uri,
            Some(&w.client.key),
            Some(json!({"notes": "x"})),
        )
        .await;
    assert_eq!((missing.status, missing.error_field()), (422, "version"));
    for field in ["status", "clientId", "shortId", "price", "courierId"] {
        let forbidden = w
            .app
            .call(
                "PATCH",
                &uri,
                Some(&w.client.key),
                Some(json!({"version": 1, field: "x"})),
            )
            .await;
        assert_eq!((forbidden.status, forbidden.error_field()), (422, field));
    }
    let ok = w
        .app
        .call(
            "PATCH",
            &uri,
            Some(&w.client.key),
            Some(json!({"version": 1, "pieces": 3, "notes": null})),
        )
        .await;
    assert_eq!(
        (
            ok.status,
            ok.body["pieces"].as_u64(),
            ok.body["version"].as_u64()
        ),
        (200, Some(3), Some(2))
    );
    assert!(ok.body.get("notes").is_none());
    let stale = w
        .app
        .call(
            "PATCH",
            &uri,
            Some(&w.client.key),
            Some(json!({"version": 1, "pieces": 4})),
        )
        .await;
    assert_eq!(
        (stale.status, stale.error_code()),
        (409, "version_conflict")
    );
    w.event(
        &order["pickup"]["id"],
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(&order["pickup"]["id"], json!({"type": "started"}))
        .await;
    let current = w.order(id, &w.client.key).await["version"].clone();
    let started = w
        .app
        .call(
            "PATCH",
            &uri,
            Some(&w.client.key),
            Some(json!({"version": current, "pieces": 5})),
        )
        .await;
    assert_eq!(
        (started.status, started.error_code()),
        (409, "invalid_state")
    );
    let courier_edit = w
        .app
        .call(
            "PATCH",
            &uri,
            Some(&w.courier.key),
            Some(json!({"version": current})),
        )
        .await;
    assert_eq!(courier_edit.status, 403);
}

async fn reject_and_start_race_and_exactly_one_wins(app: TestApp) {
    let w = std::sync::Arc::new(world(app).await);
    for round in 0..3 {
        let order = w.create(new_order("Ada", &format!("R-{round}"))).await;
        let (code, _) = w
            .event(
                &order["pickup"]["id"],
                json!({"type": "assigned", "driver": {"name": "Sam"}}),
            )
            .await;
        assert_eq!(code, 200);
        let id = order["id"].as_str().unwrap().to_string();
        let (w1, w2) = (w.clone(), w.clone());
        let pickup = order["pickup"]["id"].clone();
        let reject = tokio::spawn(async move {
            w1.app
                .post(
                    &format!("/v1/orders/{id}/reject"),
                    &w1.courier.key,
                    json!({"reason": "no"}),
                )
                .await
                .status
        });
        let start =
            tokio::spawn(async move { w2.event(&pickup, json!({"type": "started"})).await.0 });
        let (r, s) = (reject.await.unwrap(), start.await.unwrap());
        assert_eq!(
            [r, s].iter().filter(|c| **c == 200).count(),
            1,
            "reject {r}, start {s}"
        );
        assert!([r, s].contains(&409));
        let status = w.order(order["id"].as_str().unwrap(), &w.courier.key).await["status"].clone();
        assert_eq!(status, if r == 200 { "rejected" } else { "in_progress" });
    }
}

async fn two_edits_race_and_exactly_one_wins(app: TestApp) {
    let w = std::sync::Arc::new(world(app).await);
    let order = w.create(new_order("Ada", "T-1")).await;
    let uri = format!("/v1/orders/{}", order["id"].as_str().unwrap());
    let edits = (0..2).map(|i| {
        let (w, uri) = (w.clone(), uri.clone());
        tokio::spawn(async move {
            w.app
                .call(
                    "PATCH",
                    &uri,
                    Some(&w.client.key),
                    Some(json!({"version": 1, "pieces": 10 + i})),
                )
                .await
                .status
        })
    });
    let codes: Vec<u16> = futures::future::join_all(edits)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 409], "{codes:?}");
}

async fn another_tenants_order_is_not_found_on_every_route(app: TestApp) {
    let w = world(app).await;
    let sibling = w
        .app
        .onboard_client(&w.courier, "Corner Pharmacy", "rx@corner.example")
        .await;
    let rival = w.app.create_courier("Rival Riders").await;
    let order = w.create(new_order("Ada", "X-1")).await;
    let id = order["id"].as_str().unwrap();
    let short = order["shortId"].as_str().unwrap();
    let missing = format!("ord_{}", ulid::Ulid::generate());
    for (key, label) in [
        (&sibling.key, "another client"),
        (&rival.key, "another courier"),
    ] {
        for target in [id, short, missing.as_str()] {
            let routes: Vec<(&str, String, Value)> = vec![
                ("GET", format!("/v1/orders/{target}"), json!(null)),
                (
                    "PATCH",
                    format!("/v1/orders/{target}"),
                    json!({"version": 1, "pieces": 2}),
                ),
                ("POST", format!("/v1/orders/{target}/withdraw"), json!({})),
                ("POST", format!("/v1/orders/{target}/resubmit"), json!({})),
                ("POST", format!("/v1/orders/{target}/finalize"), json!({})),
                (
                    "POST",
                    format!("/v1/orders/{target}/reject"),
                    json!({"reason": "x"}),
                ),
            ];
            for (method, uri, body) in routes {
                let response = w.app.call(method, &uri, Some(key), Some(body)).await;
                // A client on a courier route, or the rival courier on a client route, gets
                // 403 before any lookup; everything else 404.
                let client_on_courier_route = key == &sibling.key && uri.ends_with("/reject");
                let courier_on_client_route = key == &rival.key
                    && (method == "PATCH"
                        || uri.ends_with("/withdraw")
                        || uri.ends_with("/resubmit"));
                let expected = if client_on_courier_route || courier_on_client_route {
                    403
                } else {
                    404
                };
                assert_eq!(
                    response.status, expected,
                    "{label}: {method} {uri}: {}",
                    response.text
                );
            }
        }
        assert_eq!(
            w.app.get("/v1/orders", key).await.body["items"],
            json!([]),
            "{label} lists nothing"
        );
    }
    let foreign_task = w
        .app
        .post(
            &format!(
                "/v1/tasks/{}/events",
                order["pickup"]["id"].as_str().unwrap()
            ),
            &rival.key,
            json!({"type": "assigned", "driver": {"name": "Eve"}}),
        )
        .await;
    assert_eq!(foreign_task.status, 404);
    let missing_task = w
        .app
        .post(
            &format!("/v1/tasks/tsk_{}_pickup/events", ulid::Ulid::generate()),
            &w.courier.key,
            json!({"type": "assigned", "driver": {"name": "Eve"}}),
        )
        .await;
    assert_eq!(missing_task.status, 404);
    let after = w.order(id, &w.client.key).await;
    assert_eq!(
        (after["status"].as_str(), after["version"].as_u64()),
        (Some("placed"), Some(1)),
        "untouched"
    );
}

async fn the_export_is_csv_safe_for_spreadsheets(app: TestApp) {
    let w = world(app).await;
    w.create(new_order("=HYPERLINK(\"http://evil\")", "@SUM(A1)"))
        .await;
    let export = w.app.get("/v1/orders/export", &w.courier.key).await;
    assert_eq!(export.status, 200);
    assert_eq!(
        export.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let mut reader = csv::Reader::from_reader(export.text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert!(headers.iter().any(|h| h == "client name") && headers.iter().any(|h| h == "short id"));
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_string()
    };
    assert_eq!(cell("recipient"), "'=HYPERLINK(\"http://evil\")");
    assert_eq!(cell("external id"), "'@SUM(A1)");
    assert_eq!(cell("recipient phone"), "'+33698765432");
    assert_eq!(cell("client name"), "Bloom Florist");
    assert_eq!(
        w.app.get("/v1/orders/export", &w.client.key).await.status,
        403
    );
    let filtered = w
        .app
        .get("/v1/orders/export?status=completed", &w.courier.key)
        .await;
    assert_eq!(filtered.text.lines().count(), 1, "header only");
}

async fn a_courier_creates_orders_for_a_client_and_auto_assign_applies(app: TestApp) {
    let w = world(app).await;
    let north = w.app.create_team(&w.courier, "North").await;
    let team_client = w
        .app
        .post(
            "/v1/clients",
            &w.courier.key,
            json!({"name": "Team Shop", "email": "t@shop.example", "autoAssignTeamId": north}),
        )
        .await
        .body;
    let mut body = new_order("Ada", "S-1");
    body["clientId"] = team_client["id"].clone();
    let created = w.app.post("/v1/orders", &w.courier.key, body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        (
            created.body["clientName"].as_str(),
            created.body["source"].as_str()
        ),
        (Some("Team Shop"), Some("api"))
    );
    assert_eq!(created.body["pickup"]["teamId"], north.as_str());
    assert_eq!(created.body["dropoff"]["teamId"], north.as_str());
    body.as_object_mut().unwrap().remove("clientId");
    let without = w.app.post("/v1/orders", &w.courier.key, body.clone()).await;
    assert_eq!((without.status, without.error_field()), (422, "clientId"));
    let rival = w.app.create_courier("Rival Riders").await;
    body["clientId"] = team_client["id"].clone();
    let foreign = w.app.post("/v1/orders", &rival.key, body.clone()).await;
    assert_eq!((foreign.status, foreign.error_field()), (422, "clientId"));
    let from_client = w.app.post("/v1/orders", &w.client.key, body).await;
    assert_eq!(
        (from_client.status, from_client.error_field()),
        (422, "clientId")
    );
}

async fn bad_order_input_gets_field_errors(app: TestApp) {
    let w = world(app).await;
    let cases = [
        (
            "/dropoff/recipient/phone",
            json!("0612"),
            "dropoff.recipient.phone",
        ),
        ("/weight", json!(-1), "weight"),
        ("/pieces", json!(0), "pieces"),
        (
            "/dropoff/window/completeBefore",
            json!("2026-12-01T08:00:00+01:00"),
            "dropoff.window.completeBefore",
        ),
        (
            "/pickup/requirements/minimumAge",
            json!(99),
            "pickup.requirements.minimumAge",
        ),
        ("/status", json!("completed"), "status"),
    ];
    for (pointer, value, field) in cases {
        let mut body = new_order("Ada", "B-1");
        let (parent, last) = pointer.rsplit_once('/').unwrap();
        let target = if parent.is_empty() {
            &mut body
        } else {
            body.pointer_mut(parent)
                .unwrap_or_else(|| panic!("{parent}"))
        };
        if target.is_null() {
            *target = json!({});
        }
        target[last] = value;
        let response = w.app.post("/v1/orders", &w.client.key, body).await;
        assert_eq!(
            (response.status, response.error_field()),
            (422, field),
            "{}",
            response.text
        );
    }
    let (code, body) = w
        .event(
            &json!(format!("tsk_{}_pickup", ulid::Ulid::generate())),
            json!({"type": "teleported"}),
        )
        .await;
    assert_eq!((code, body["error"]["field"].as_str()), (422, Some("type")));
    assert_eq!(
        w.app.get("/v1/orders", &w.courier.key).await.body["items"],
        json!([]),
        "nothing written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_per_endpoint_are_pinned() {
    if portal_tests::skip_without_moto() {
        return;
    }
    let w = world(TestApp::new(Backend::Moto).await).await;
    let app = &w.app;
    app.calls.take();
    let created = app
        .invoke(
            "create-order",
            &w.client.key,
            &[],
            Some(new_order("Ada", "P-1")),
        )
        .await;
    assert_eq!(created.status, 201);
    // (`invoke` resolves the key before counting starts, as the authorizer Lambda would.)
    assert_eq!(
        app.calls.take(),
        2,
        "create = the search terms' BatchWriteItem, then one TransactWriteItems"
    );
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        app.invoke("get-order", &w.client.key, &[("orderId", id)], None)
            .await
            .status,
        200
    );
    assert_eq!(app.calls.take(), 1, "get by id = one GetItem");
    let pickup = created.body["pickup"]["id"].as_str().unwrap();
    let dropoff = created.body["dropoff"]["id"].as_str().unwrap();
    for (task, event) in [
        (
            pickup,
            json!({"type": "assigned", "driver": {"name": "Sam"}}),
        ),
        (
            dropoff,
            json!({"type": "assigned", "driver": {"name": "Sam"}}),
        ),
        (pickup, json!({"type": "started"})),
        (pickup, json!({"type": "completed"})),
        (dropoff, json!({"type": "started"})),
        (
            dropoff,
            json!({"type": "eta", "eta": "2026-12-01T10:30:00+01:00"}),
        ),
        (dropoff, json!({"type": "completed"})),
    ] {
        let response = app
            .invoke(
                "record-task-event",
                &w.courier.key,
                &[("taskId", task)],
                Some(event.clone()),
            )
            .await;
        assert_eq!(response.status, 200, "{event}: {}", response.text);
        assert_eq!(
            app.calls.take(),
            1,
            "each task event = one UpdateItem: {event}"
        );
    }
    let illegal = app
        .invoke(
            "record-task-event",
            &w.courier.key,
            &[("taskId", pickup)],
            Some(json!({"type": "started"})),
        )
        .await;
    assert_eq!(illegal.status, 409);
    assert_eq!(
        app.calls.take(),
        1,
        "an illegal event is refused by the same one call"
    );
}
