//! Order search from its index, and the export's date range: what each finds, tenants,
//! edits that move terms, an old match among many newer orders, and the calls they make.

use portal_tests::{on_both_backends, Backend, Org, TestApp, TestResponse};
use serde_json::{json, Value};

on_both_backends!(
    every_indexed_field_finds_the_order,
    several_words_match_orders_having_all_of_them,
    results_are_newest_first_and_pages_follow_each_other,
    status_and_client_filters_combine_with_search,
    a_client_never_sees_another_clients_match,
    an_edit_drops_the_old_terms,
    an_old_match_is_on_the_first_page,
    bad_search_input_gets_field_errors,
    the_export_takes_a_date_range,
    the_list_takes_a_creation_range,
    an_export_over_the_limit_is_refused_not_cut,
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

fn order(name: &str, phone: &str, line1: &str, postal: &str, external_id: &str) -> Value {
    json!({
        "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
        "dropoff": {
            "address": {"line1": line1, "city": "Paris", "postalCode": postal},
            "recipient": {"name": name, "phone": phone}
        },
        "externalId": external_id
    })
}

fn curie() -> Value {
    order(
        "Marie Curie",
        "+33698765432",
        "9 Rue de la Paix",
        "75002",
        "SHOP-1001",
    )
}

async fn create(app: &TestApp, who: &Org, body: Value) -> Value {
    let response = app.post("/v1/orders", &who.key, body).await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

async fn search(app: &TestApp, who: &Org, query: &str) -> TestResponse {
    app.get(&format!("/v1/orders?q={}", encode(query)), &who.key)
        .await
}

/// A query parameter's value, form-encoded.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b' ' => "+".to_string(),
            b if b.is_ascii_alphanumeric() || b"-_.".contains(&b) => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a listing: {listing}"))
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

fn id(order: &Value) -> String {
    order["id"].as_str().unwrap().to_string()
}

async fn every_indexed_field_finds_the_order(app: TestApp) {
    let w = world(app).await;
    let marie = create(&w.app, &w.client, curie()).await;
    let other = create(
        &w.app,
        &w.client,
        order(
            "Éloïse Lefèvre",
            "+14155550123",
            "2 Quai Claude Bernard",
            "69007",
            "SHOP-2002",
        ),
    )
    .await;
    let short_id = marie["shortId"].as_str().unwrap();
    for (q, expected) in [
        (short_id.to_string(), &marie),
        (short_id.to_lowercase(), &marie),
        ("SHOP-1001".into(), &marie),
        ("shop1001".into(), &marie),
        ("1001".into(), &marie),
        ("mar".into(), &marie),
        ("Curi".into(), &marie),
        ("+33698765432".into(), &marie),
        ("+33 6 98".into(), &marie),
        ("06 98 76 54 32".into(), &marie),
        ("698765432".into(), &marie),
        ("5432".into(), &marie),
        ("75002".into(), &marie),
        ("paix".into(), &marie),
        ("RUE".into(), &marie),
        ("eloise".into(), &other),
        ("LEFEVRE".into(), &other),
        ("(415) 555-0123".into(), &other),
        ("claude".into(), &other),
        ("69007".into(), &other),
    ] {
        for who in [&w.client, &w.courier] {
            let found = search(&w.app, who, &q).await;
            assert_eq!(found.status, 200, "{q}: {}", found.text);
            assert_eq!(ids(&found.body), [id(expected)], "q={q}");
        }
    }
    let none = search(&w.app, &w.courier, "nobody").await;
    assert_eq!(ids(&none.body), Vec::<String>::new());
    assert!(none.body.get("nextCursor").is_none());
    let listed = search(&w.app, &w.courier, "curie").await.body;
    assert_eq!(listed["items"][0]["clientName"], "Bloom Florist");
    assert!(listed["items"][0].get("trackingToken").is_none());
}

async fn several_words_match_orders_having_all_of_them(app: TestApp) {
    let w = world(app).await;
    let marie = create(&w.app, &w.client, curie()).await;
    let pierre = create(
        &w.app,
        &w.client,
        order(
            "Pierre Curie",
            "+33611111111",
            "9 Rue de la Paix",
            "75002",
            "P-1",
        ),
    )
    .await;
    let other_street = create(
        &w.app,
        &w.client,
        order(
            "Marie Martin",
            "+33622222222",
            "3 Rue Royale",
            "75008",
            "P-2",
        ),
    )
    .await;
    for (q, expected) in [
        ("marie curie", vec![&marie]),
        ("curie marie", vec![&marie]),
        ("marie cu", vec![&marie]),
        ("curie", vec![&pierre, &marie]),
        ("rue paix", vec![&pierre, &marie]),
        ("rue de la paix", vec![&pierre, &marie]),
        ("marie", vec![&other_street, &marie]),
        ("marie pa", vec![&marie]),
        ("rue roy", vec![&other_street]),
        ("marie zzz", vec![]),
    ] {
        let found = search(&w.app, &w.client, q).await.body;
        assert_eq!(
            ids(&found),
            expected.into_iter().map(id).collect::<Vec<_>>(),
            "q={q}"
        );
    }
}

async fn results_are_newest_first_and_pages_follow_each_other(app: TestApp) {
    let w = world(app).await;
    // One prefix over several terms (marie, martin, mathis), interleaved in time.
    let mut created = vec![];
    for (i, name) in [
        "Marie A", "Martin B", "Mathis C", "Marie D", "Martin E", "Mathis F", "Maude G",
    ]
    .iter()
    .enumerate()
    {
        let body = order(
            name,
            &format!("+3361234560{i}"),
            "1 Rue Haute",
            "75001",
            &format!("M-{i}"),
        );
        created.push(id(&create(&w.app, &w.client, body).await));
    }
    created.reverse();
    let all = search(&w.app, &w.courier, "ma").await.body;
    assert_eq!(ids(&all), created, "newest first across terms");
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let uri = match &cursor {
            None => "/v1/orders?q=ma&limit=2".to_string(),
            Some(c) => format!("/v1/orders?q=ma&limit=2&cursor={c}"),
        };
        let page = w.app.get(&uri, &w.client.key).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(ids(&page.body).len() <= 2);
        seen.extend(ids(&page.body));
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, created, "pages in order, nothing twice, nothing lost");
}

async fn status_and_client_filters_combine_with_search(app: TestApp) {
    let w = world(app).await;
    let corner = w
        .app
        .onboard_client(&w.courier, "Corner Pharmacy", "rx@corner.example")
        .await;
    let placed = create(&w.app, &w.client, curie()).await;
    let rejected = create(&w.app, &w.client, curie()).await;
    let theirs = create(&w.app, &corner, curie()).await;
    let reject = w
        .app
        .post(
            &format!("/v1/orders/{}/reject", id(&rejected)),
            &w.courier.key,
            json!({"reason": "no"}),
        )
        .await;
    assert_eq!(reject.status, 200, "{}", reject.text);
    let get = |uri: String| {
        let app = &w.app;
        let key = w.courier.key.clone();
        async move { app.get(&uri, &key).await }
    };
    let all = get("/v1/orders?q=curie".into()).await.body;
    assert_eq!(ids(&all), [id(&theirs), id(&rejected), id(&placed)]);
    assert_eq!(all["items"][0]["clientName"], "Corner Pharmacy");
    let only_rejected = get("/v1/orders?q=curie&status=rejected".into()).await.body;
    assert_eq!(ids(&only_rejected), [id(&rejected)]);
    let by_client = get(format!("/v1/orders?q=curie&clientId={}", corner.id))
        .await
        .body;
    assert_eq!(ids(&by_client), [id(&theirs)]);
    let both = get(format!(
        "/v1/orders?q=curie&clientId={}&status=placed,rejected",
        w.client.id
    ))
    .await
    .body;
    assert_eq!(ids(&both), [id(&rejected), id(&placed)]);
    let own = w
        .app
        .get("/v1/orders?q=curie&status=placed", &w.client.key)
        .await
        .body;
    assert_eq!(ids(&own), [id(&placed)]);
}

async fn a_client_never_sees_another_clients_match(app: TestApp) {
    let w = world(app).await;
    let corner = w
        .app
        .onboard_client(&w.courier, "Corner Pharmacy", "rx@corner.example")
        .await;
    let mine = create(&w.app, &w.client, curie()).await;
    let theirs = create(&w.app, &corner, curie()).await;
    for q in ["marie curie", "curie", "75002", "+33698765432", "shop-1001"] {
        assert_eq!(ids(&search(&w.app, &w.client, q).await.body), [id(&mine)]);
        assert_eq!(ids(&search(&w.app, &corner, q).await.body), [id(&theirs)]);
    }
    // A client's clientId is ignored: it searches its own orders only.
    let sneaky = w
        .app
        .get(
            &format!("/v1/orders?q=curie&clientId={}", corner.id),
            &w.client.key,
        )
        .await
        .body;
    assert_eq!(ids(&sneaky), [id(&mine)]);
    // Another courier finds nothing, even naming this courier's client.
    let rival = w.app.create_courier("Rival Express").await;
    for uri in [
        "/v1/orders?q=curie".to_string(),
        format!("/v1/orders?q=curie&clientId={}", w.client.id),
    ] {
        let found = w.app.get(&uri, &rival.key).await;
        assert_eq!(found.status, 200, "{}", found.text);
        assert_eq!(ids(&found.body), Vec::<String>::new(), "{uri}");
    }
}

async fn an_edit_drops_the_old_terms(app: TestApp) {
    let w = world(app).await;
    let created = create(&w.app, &w.client, curie()).await;
    let edited = w
        .app
        .call(
            "PATCH",
            &format!("/v1/orders/{}", id(&created)),
            Some(&w.client.key),
            Some(json!({
                "version": created["version"],
                "dropoff": {
                    "address": {"line1": "2 Quai Claude Bernard", "city": "Lyon", "postalCode": "69007"},
                    "recipient": {"name": "Irène Joliot", "phone": "+33611223344"}
                },
                "externalId": "SHOP-2002"
            })),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.body["version"], 2);
    assert_eq!(edited.body["timeline"].as_array().unwrap().len(), 2);
    assert_eq!(
        edited.body,
        w.app
            .get(&format!("/v1/orders/{}", id(&created)), &w.client.key)
            .await
            .body,
        "the answer is the stored order"
    );
    for who in [&w.client, &w.courier] {
        for gone in ["curie", "marie", "paix", "75002", "5432", "shop-1001"] {
            assert_eq!(
                ids(&search(&w.app, who, gone).await.body),
                Vec::<String>::new(),
                "{gone}"
            );
        }
        for found in ["irene joliot", "claude", "69007", "3344", "shop-2002"] {
            assert_eq!(
                ids(&search(&w.app, who, found).await.body),
                [id(&created)],
                "{found}"
            );
        }
    }
    // An edit that changes no term leaves the index as it was.
    let notes = w
        .app
        .call(
            "PATCH",
            &format!("/v1/orders/{}", id(&created)),
            Some(&w.client.key),
            Some(json!({"version": 2, "notes": "Ring twice"})),
        )
        .await;
    assert_eq!(notes.status, 200, "{}", notes.text);
    assert_eq!(
        ids(&search(&w.app, &w.client, "joliot").await.body),
        [id(&created)]
    );
    // A stale version changes neither the order nor its terms.
    let stale = w
        .app
        .call(
            "PATCH",
            &format!("/v1/orders/{}", id(&created)),
            Some(&w.client.key),
            Some(json!({"version": 2, "dropoff": {"address": {"line1": "5 Rue Neuve"}, "recipient": {"name": "Nobody Else"}}})),
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert_eq!(
        ids(&search(&w.app, &w.client, "nobody").await.body),
        Vec::<String>::new()
    );
}

/// How many newer orders hide the old match. The search that filtered the orders read at
/// most 10 store pages of `limit + 1` orders: with `limit=5`, the newest 60. moto copies the
/// whole table in every transaction, so it gets fewer (still more than that reach).
fn newer_orders(backend: Backend) -> usize {
    match backend {
        Backend::Embedded => 400,
        Backend::Moto => 80,
    }
}

async fn an_old_match_is_on_the_first_page(app: TestApp) {
    let w = world(app).await;
    let old = create(&w.app, &w.client, curie()).await;
    for i in 0..newer_orders(w.app.backend) {
        create(
            &w.app,
            &w.client,
            order(
                &format!("Someone Else{i}"),
                "+33600000000",
                "1 Avenue Foch",
                "75116",
                &format!("N-{i}"),
            ),
        )
        .await;
    }
    for who in [&w.courier, &w.client] {
        let found = w
            .app
            .get("/v1/orders?q=marie+curie&limit=5", &who.key)
            .await
            .body;
        assert_eq!(ids(&found), [id(&old)]);
        assert!(found.get("nextCursor").is_none());
    }
    if w.app.backend == Backend::Moto {
        for (who, query) in [
            (&w.courier, "marie curie"),
            (&w.client, "marie curie"),
            (&w.client, "curie"),
            (&w.courier, "+33 6 98 76"),
        ] {
            let found = invoke_with_query(&w.app, "list-orders", who, &[("q", query)]).await;
            assert_eq!(ids(&found.body), [id(&old)], "{query}");
            assert_eq!(
                w.app.calls.take(),
                2,
                "one Query of the index + one BatchGetItem: {query}"
            );
        }
    }
}

async fn bad_search_input_gets_field_errors(app: TestApp) {
    let w = world(app).await;
    for (uri, field) in [
        ("/v1/orders?q=%21%21%21".to_string(), "q"),
        (format!("/v1/orders?q={}", "a".repeat(101)), "q"),
        ("/v1/orders?q=a+b+c+d+e+f+g+h+i".to_string(), "q"),
        ("/v1/orders?q=curie&status=lost".to_string(), "status"),
        ("/v1/orders?q=curie&clientId=nope".to_string(), "clientId"),
        ("/v1/orders?q=curie&limit=0".to_string(), "limit"),
    ] {
        let response = w.app.get(&uri, &w.courier.key).await;
        assert_eq!(
            (response.status, response.error_field()),
            (422, field),
            "{uri}: {}",
            response.text
        );
    }
    // Not base64, not a map, a window that is not a key, a window in another tenant's
    // partition, a window outside the searched range, an `after` that is not an order id.
    let rival = format!("SEARCH#cou_{}", ulid::Ulid::generate());
    let own = format!("SEARCH#{}", w.client.id);
    let crafted = [
        json!({"window": 1}),
        json!({"window": {"PK": rival, "SK": "curie#ord_1"}}),
        json!({"window": {"PK": rival, "SK": "curie#ord_1", "GSI1PK": rival, "GSI1SK": "curie#ord_1"}}),
        json!({"window": {"PK": rival, "SK": "zola#ord_1", "GSI1PK": own, "GSI1SK": "zola#ord_1"}}),
        json!({"after": "DROP TABLE"}),
        json!({"after": 7, "extra": true}),
    ];
    let mut cursors = vec!["nope".to_string()];
    cursors.extend(crafted.iter().map(|c| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(c.to_string())
    }));
    for cursor in cursors {
        let response = w
            .app
            .get(
                &format!("/v1/orders?q=curie&cursor={cursor}"),
                &w.client.key,
            )
            .await;
        assert_eq!(
            (response.status, response.error_field()),
            (400, "cursor"),
            "{cursor}: {}",
            response.text
        );
    }
}

async fn the_export_takes_a_date_range(app: TestApp) {
    let w = world(app).await;
    let day = |offset: i64| (chrono::Utc::now() + chrono::Duration::days(offset)).date_naive();
    let first = create(&w.app, &w.client, curie()).await;
    w.app.clock.advance(chrono::Duration::days(2));
    let second = create(&w.app, &w.client, curie()).await;
    w.app.clock.advance(chrono::Duration::days(2));
    let third = create(&w.app, &w.client, curie()).await;
    let rows = |text: &str| {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .collect::<Vec<_>>()
    };
    let export = |query: String| {
        let app = &w.app;
        let key = w.courier.key.clone();
        async move { app.get(&format!("/v1/orders/export{query}"), &key).await }
    };
    for (query, expected) in [
        (String::new(), vec![&third, &second, &first]),
        (format!("?from={}", day(2)), vec![&third, &second]),
        (format!("?to={}", day(2)), vec![&second, &first]),
        (format!("?from={}&to={}", day(2), day(2)), vec![&second]),
        (format!("?from={}&to={}", day(1), day(1)), vec![]),
        (
            format!("?from={}&to={}&clientId={}", day(0), day(2), w.client.id),
            vec![&second, &first],
        ),
        (format!("?from={}&status=rejected", day(0)), vec![]),
        // The list's names for the range: the orders page's filters export as they are.
        (
            format!("?createdFrom={}&createdTo={}", day(2), day(2)),
            vec![&second],
        ),
        (format!("?createdTo={}", day(0)), vec![&first]),
    ] {
        let response = export(query.clone()).await;
        assert_eq!(response.status, 200, "{query}: {}", response.text);
        assert_eq!(
            rows(&response.text),
            expected.into_iter().map(id).collect::<Vec<_>>(),
            "{query}"
        );
    }
    for (query, field) in [
        (format!("?from={}&to={}", day(2), day(1)), "from"),
        ("?from=2026-13-01".to_string(), "from"),
        ("?from=2026-1-01".to_string(), "from"),
        ("?to=yesterday".to_string(), "to"),
        ("?createdTo=yesterday".to_string(), "createdTo"),
        (
            format!("?createdFrom={}&createdTo={}", day(2), day(1)),
            "createdFrom",
        ),
        (
            format!("?from={}&createdFrom={}", day(0), day(0)),
            "createdFrom",
        ),
        ("?q=curie".to_string(), "q"),
    ] {
        let response = export(query.clone()).await;
        assert_eq!(
            (response.status, response.error_field()),
            (422, field),
            "{query}: {}",
            response.text
        );
    }
}

async fn an_export_over_the_limit_is_refused_not_cut(app: TestApp) {
    let w = world(app).await;
    for _ in 0..3 {
        create(&w.app, &w.client, curie()).await;
    }
    let today = chrono::Utc::now().date_naive().to_string();
    let at_most = |max: usize, query: Vec<(&'static str, String)>| {
        let app = &w.app;
        let key = w.courier.key.clone();
        async move {
            let request = request_as(app, &key, query).await;
            TestResponse::from(
                portal::api::export::export_at_most(app.ctx(), request, max)
                    .await
                    .unwrap_or_else(|e| e.to_response()),
            )
        }
    };
    let refused = at_most(2, vec![("from", today.clone())]).await;
    assert_eq!(
        (refused.status, refused.error_code(), refused.error_field()),
        (422, "too_many_rows", "from"),
        "{}",
        refused.text
    );
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("more than 2 ") && message.contains("narrow"),
        "{message}"
    );
    let exact = at_most(3, vec![("from", today)]).await;
    assert_eq!(exact.status, 200, "{}", exact.text);
    assert_eq!(exact.text.lines().count(), 4, "a header and every row");
    assert_eq!(portal::api::export::MAX_EXPORT_ROWS, 10_000);
}

/// A request as the authorizer would pass it to a use case, with query parameters.
async fn request_as(
    app: &TestApp,
    key: &str,
    query: Vec<(&'static str, String)>,
) -> portal::http::ApiRequest {
    let principal = portal::auth::authorize(app.store.as_ref(), Some(&format!("Bearer {key}")))
        .await
        .unwrap()
        .expect("a valid key");
    app.calls.take();
    portal::http::ApiRequest {
        method: "GET".into(),
        query: query.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        auth: Some(Ok(principal)),
        ..Default::default()
    }
}

/// Runs one function as its Lambda would, with query parameters; counting starts after the
/// authorizer's reads.
async fn invoke_with_query(
    app: &TestApp,
    function: &str,
    who: &Org,
    query: &[(&'static str, &str)],
) -> TestResponse {
    let request = request_as(
        app,
        &who.key,
        query.iter().map(|(k, v)| (*k, v.to_string())).collect(),
    )
    .await;
    let function = portal_local::functions::http_function(function).expect("a registered function");
    TestResponse::from((function.handler)(app.app.ctx_for(function), request).await)
}

async fn the_list_takes_a_creation_range(app: TestApp) {
    let w = world(app).await;
    w.app
        .clock
        .travel_to("2026-03-01T23:59:59Z".parse().unwrap());
    let first = create(&w.app, &w.client, curie()).await;
    w.app
        .clock
        .travel_to("2026-03-03T00:00:00Z".parse().unwrap());
    let second = create(&w.app, &w.client, curie()).await;
    w.app
        .clock
        .travel_to("2026-03-05T12:00:00Z".parse().unwrap());
    let third = create(&w.app, &w.client, curie()).await;
    let list = |query: String, key: String| {
        let app = &w.app;
        async move { app.get(&format!("/v1/orders{query}"), &key).await }
    };
    let (client, courier) = (w.client.key.clone(), w.courier.key.clone());
    for (query, expected) in [
        ("?createdFrom=2026-03-02", vec![&third, &second]),
        ("?createdTo=2026-03-03", vec![&second, &first]),
        (
            "?createdFrom=2026-03-03&createdTo=2026-03-03",
            vec![&second],
        ),
        ("?createdFrom=2026-03-02&createdTo=2026-03-02", vec![]),
        ("?createdFrom=2026-03-01&createdTo=2026-03-01", vec![&first]),
        (
            "?createdTo=2026-03-03&status=placed,rejected",
            vec![&second, &first],
        ),
        ("?createdFrom=2026-03-03&status=rejected", vec![]),
        // With a search: the terms found are narrowed to the range.
        (
            "?q=curie&createdFrom=2026-03-03&createdTo=2026-03-04",
            vec![&second],
        ),
        ("?q=curie&createdTo=2026-03-01", vec![&first]),
    ] {
        for key in [&client, &courier] {
            let response = list(query.to_string(), key.clone()).await;
            assert_eq!(response.status, 200, "{query}: {}", response.text);
            assert_eq!(
                ids(&response.body),
                expected.iter().map(|o| id(o)).collect::<Vec<_>>(),
                "{query}"
            );
        }
    }
    // The oldest order is not on the first page of the unfiltered list, yet its day finds
    // it at once: the range is read by the key, not filtered from newer pages.
    let newest = list("?limit=1".into(), client.clone()).await;
    assert_eq!(ids(&newest.body), vec![id(&third)]);
    let oldest = list("?createdTo=2026-03-01&limit=1".into(), client.clone()).await;
    assert_eq!(ids(&oldest.body), vec![id(&first)], "{}", oldest.text);
    assert!(oldest.body["nextCursor"].is_null(), "{}", oldest.text);

    // Another client of the courier, and another courier, see none of these in the range.
    let corner = w
        .app
        .onboard_client(&w.courier, "Corner Pharmacy", "rx@corner.example")
        .await;
    let rival = w.app.create_courier("Rival Express").await;
    for (who, query) in [
        (
            &corner,
            "?createdFrom=2026-03-01&createdTo=2026-03-05".to_string(),
        ),
        (&corner, "?q=curie&createdFrom=2026-03-01".to_string()),
        (
            &rival,
            "?createdFrom=2026-03-01&createdTo=2026-03-05".to_string(),
        ),
        (&rival, "?q=curie&createdTo=2026-03-05".to_string()),
    ] {
        let response = list(query.clone(), who.key.clone()).await;
        assert_eq!(response.status, 200, "{query}: {}", response.text);
        assert_eq!(ids(&response.body), Vec::<String>::new(), "{query}");
    }
    // Naming this courier's client does not open its range to another courier.
    let named = list(
        format!("?createdFrom=2026-03-01&clientId={}", w.client.id),
        rival.key.clone(),
    )
    .await;
    assert_eq!(
        (named.status, named.error_field()),
        (422, "clientId"),
        "{}",
        named.text
    );

    // Pages of a range follow each other.
    let page = list("?createdTo=2026-03-03&limit=1".into(), client.clone()).await;
    assert_eq!(ids(&page.body), vec![id(&second)]);
    let cursor = page.body["nextCursor"].as_str().unwrap().to_string();
    let next = list(
        format!("?createdTo=2026-03-03&limit=1&cursor={cursor}"),
        client.clone(),
    )
    .await;
    assert_eq!(ids(&next.body), vec![id(&first)], "{}", next.text);
    // A cursor of another range cannot start this one.
    let later = list("?limit=1".into(), client.clone()).await;
    let cursor = later.body["nextCursor"].as_str().unwrap().to_string();
    let crossed = list(
        format!("?createdTo=2026-03-01&cursor={cursor}"),
        client.clone(),
    )
    .await;
    assert_eq!(
        (crossed.status, crossed.error_field()),
        (400, "cursor"),
        "{}",
        crossed.text
    );

    for (query, field) in [
        (
            "?createdFrom=2026-03-05&createdTo=2026-03-01",
            "createdFrom",
        ),
        ("?createdFrom=2026-13-01", "createdFrom"),
        ("?createdFrom=2026-3-01", "createdFrom"),
        ("?createdTo=yesterday", "createdTo"),
        ("?q=curie&createdTo=2026-03-01T00:00:00Z", "createdTo"),
    ] {
        let response = list(query.to_string(), client.clone()).await;
        assert_eq!(
            (
                response.status,
                response.error_field(),
                response.error_code()
            ),
            (422, field, "invalid_field"),
            "{query}: {}",
            response.text
        );
    }
}
