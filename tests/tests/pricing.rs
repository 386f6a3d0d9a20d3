//! Services, rate tables, a client's services, quotes, and orders quoted with them (issue 9):
//! on both stores, with tenants, validation, drafts and the DynamoDB calls each route makes.

use portal_tests::{on_both_backends, Backend, Org, TestApp, TestResponse};
use serde_json::{json, Value};

on_both_backends!(
    a_courier_prices_a_client_and_the_client_sees_only_its_own,
    quotes_answer_every_service_with_a_price_or_the_reasons,
    orders_are_quoted_and_unquotable_ones_refused_or_drafted,
    a_change_reaches_every_client_copy_and_items_in_use_stay,
    another_tenants_pricing_is_not_found,
    bad_pricing_input_gets_field_errors,
    changes_racing_with_a_put_never_leave_a_stale_copy,
);

struct World {
    app: TestApp,
    courier: Org,
    client: Org,
    /// A client of the same courier without services.
    plain: Org,
    express: String,
    standard: String,
    flat: String,
    per_km: String,
}

/// Monday 30 November 2026, 09:00 in Paris (the courier's time zone).
const MONDAY_9AM: &str = "2026-11-30T08:00:00Z";

fn express() -> Value {
    json!({
        "name": "Express", "sla": {"kind": "same_day", "hours": 2},
        "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "20:00"},
        "cutoff": "17:00", "holidays": ["2026-12-25"], "maxWeightKg": 10, "maxPieces": 3,
        "area": {"postalCodePrefixes": ["75", "69"]}
    })
}

fn standard() -> Value {
    json!({
        "name": "Next day", "sla": {"kind": "next_day", "by": "12:00"},
        "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat"], "from": "08:00", "to": "18:00"},
        "area": {"polygon": {"type": "Polygon", "coordinates": [[[2.0, 45.0], [5.5, 45.0], [5.5, 49.5], [2.0, 49.5], [2.0, 45.0]]]}}
    })
}

fn flat() -> Value {
    json!({"name": "Express flat", "currency": "EUR", "base": {"method": "flat", "amount": 2500}})
}

fn per_km() -> Value {
    json!({
        "name": "Per km", "currency": "EUR", "base": {"method": "distance", "amount": 2},
        "modifiers": [{"when": "weight_over", "threshold": 5, "amountPerUnit": 100}],
        "minPrice": 900, "maxPrice": 5000
    })
}

/// Lyon → Paris with coordinates (about 392 km).
fn stops() -> (Value, Value) {
    (
        json!({"address": {"line1": "1 Place Bellecour", "city": "Lyon", "postalCode": "69002", "lat": 45.7578, "lng": 4.8320},
               "contact": {"name": "Ana"}}),
        json!({"address": {"line1": "9 Rue de la Paix", "city": "Paris", "postalCode": "75002", "lat": 48.8686, "lng": 2.3314},
               "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}),
    )
}

/// An order ready at 10:00 (the pickup window opens; the clock reads a little after 09:00).
fn order(weight: f64, pieces: u32) -> Value {
    let (mut pickup, dropoff) = stops();
    pickup["window"] = json!({"completeAfter": "2026-11-30T10:00:00+01:00"});
    json!({"pickup": pickup, "dropoff": dropoff, "weight": weight, "pieces": pieces})
}

fn marseille() -> Value {
    json!({"line1": "1 Quai du Port", "city": "Marseille", "postalCode": "13001", "lat": 43.2965, "lng": 5.3698})
}

async fn created(app: &TestApp, uri: &str, key: &str, body: Value) -> String {
    let response = app.post(uri, key, body).await;
    assert_eq!(response.status, 201, "{uri}: {}", response.text);
    response.body["id"].as_str().unwrap().to_string()
}

async fn world(app: TestApp) -> World {
    app.clock.travel_to(MONDAY_9AM.parse().unwrap());
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let plain = app
        .onboard_client(&courier, "Plain Bakery", "orders@plain.example")
        .await;
    let express = created(&app, "/v1/services", &courier.key, express()).await;
    let standard = created(&app, "/v1/services", &courier.key, standard()).await;
    let flat = created(&app, "/v1/rate-tables", &courier.key, flat()).await;
    let per_km = created(&app, "/v1/rate-tables", &courier.key, per_km()).await;
    let given = put_services(
        &app,
        &courier,
        &client.id,
        json!([{"serviceId": express, "rateTableId": flat}, {"serviceId": standard, "rateTableId": per_km}]),
    )
    .await;
    assert_eq!(given.status, 200, "{}", given.text);
    // The client's next key resolution sees its services.
    World {
        app,
        courier,
        client,
        plain,
        express,
        standard,
        flat,
        per_km,
    }
}

async fn put_services(app: &TestApp, courier: &Org, client: &str, pairs: Value) -> TestResponse {
    app.call(
        "PUT",
        &format!("/v1/clients/{client}/services"),
        Some(&courier.key),
        Some(json!({ "services": pairs })),
    )
    .await
}

async fn patch(app: &TestApp, uri: &str, key: &str, body: Value) -> TestResponse {
    app.call("PATCH", uri, Some(key), Some(body)).await
}

async fn a_courier_prices_a_client_and_the_client_sees_only_its_own(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let service = app
        .get(&format!("/v1/services/{}", w.express), &w.courier.key)
        .await;
    assert_eq!(service.status, 200, "{}", service.text);
    assert_eq!(service.body["name"], "Express");
    assert_eq!(service.body["sla"], json!({"kind": "same_day", "hours": 2}));
    assert_eq!(service.body["maxWeightKg"], json!(10.0));
    assert_eq!(service.body["clientCount"], 1);
    let listed = app.get("/v1/services", &w.courier.key).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    let tables = app.get("/v1/rate-tables", &w.courier.key).await;
    assert_eq!(tables.body["items"][1]["minPrice"], 900);
    let pairs = app
        .get(
            &format!("/v1/clients/{}/services", w.client.id),
            &w.courier.key,
        )
        .await;
    assert_eq!(pairs.status, 200);
    assert_eq!(pairs.body["services"][0]["serviceId"], json!(w.express));
    assert_eq!(pairs.body["services"][1]["rateTableName"], "Per km");

    // The client reads its own services and the rates it gets, not the table's name.
    let own = app.get("/v1/services", &w.client.key).await;
    assert_eq!(own.status, 200, "{}", own.text);
    let items = own.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], json!(w.express));
    assert_eq!(items[0]["rates"]["base"]["amount"], 2500);
    assert!(items[0]["rates"].get("name").is_none());
    assert!(own.body.get("nextCursor").is_none());
    // Another client of the courier has none, and never sees the first one's.
    let plain = app.get("/v1/services", &w.plain.key).await;
    assert_eq!(plain.body, json!({"items": []}));
    // The client routes of the courier are the courier's.
    for (method, uri) in [
        ("POST", "/v1/services".to_string()),
        ("GET", format!("/v1/services/{}", w.express)),
        ("GET", "/v1/rate-tables".to_string()),
        ("PUT", format!("/v1/clients/{}/services", w.client.id)),
    ] {
        let r = app
            .call(method, &uri, Some(&w.client.key), Some(json!({})))
            .await;
        assert_eq!(r.status, 403, "{method} {uri}");
    }
    // The client item shows no pricing internals.
    let client = app
        .get(&format!("/v1/clients/{}", w.client.id), &w.courier.key)
        .await;
    assert!(client.body.get("pricing").is_none());
}

async fn quotes_answer_every_service_with_a_price_or_the_reasons(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let (pickup, dropoff) = stops();
    let quote = app
        .post(
            "/v1/quotes",
            &w.client.key,
            json!({"pickup": pickup, "dropoff": dropoff, "pieces": 2, "weight": {"value": 15, "units": "lb"},
                   "readyBy": "2026-11-30T10:00:00+01:00", "dueBy": "2026-12-01T18:00:00+01:00"}),
        )
        .await;
    assert_eq!(quote.status, 200, "{}", quote.text);
    let services = quote.body["services"].as_array().unwrap();
    // Express: 2 h after ready, flat price.
    assert_eq!(services[0]["serviceId"], json!(w.express));
    assert_eq!(services[0]["eligible"], true, "{}", quote.text);
    assert_eq!(services[0]["price"], 2500);
    assert_eq!(services[0]["currency"], "EUR");
    assert_eq!(services[0]["completeBy"], "2026-11-30T12:00:00+01:00");
    assert_eq!(services[0]["reasons"], json!([]));
    // Next day by noon; 2/km over ~392 km, plus 100 per kg above 5 (15 lb = 6804 g), capped.
    assert_eq!(services[1]["eligible"], true, "{}", quote.text);
    assert_eq!(services[1]["completeBy"], "2026-12-01T12:00:00+01:00");
    let price = services[1]["price"].as_u64().unwrap();
    assert!((900..=5000).contains(&price), "{price}");

    // Without weight, coordinates or within the window: the reasons, service by service.
    let (mut pickup, dropoff) = stops();
    pickup["address"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k != "lat" && k != "lng");
    pickup["address"]["postalCode"] = json!("13001");
    let quote = app
        .post(
            "/v1/quotes",
            &w.client.key,
            json!({"pickup": pickup, "dropoff": dropoff, "pieces": 9,
                   "readyBy": "2026-11-30T10:00:00+01:00", "dueBy": "2026-11-30T11:00:00+01:00"}),
        )
        .await;
    assert_eq!(quote.status, 200, "{}", quote.text);
    assert_eq!(
        quote.body["services"][0]["reasons"],
        json!([
            "missing_weight",
            "too_many_pieces",
            "outside_area",
            "misses_window"
        ])
    );
    assert!(quote.body["services"][0].get("price").is_none());
    // (The per-km table also has a weight modifier: it needs the weight too.)
    assert_eq!(
        quote.body["services"][1]["reasons"],
        json!(["missing_weight", "missing_coordinates", "misses_window"])
    );

    // A courier quotes for a client; a client without services has nothing to quote.
    let (pickup, dropoff) = stops();
    let body = json!({"pickup": pickup, "dropoff": dropoff, "pieces": 1, "weight": 1, "clientId": w.client.id});
    let by_courier = app.post("/v1/quotes", &w.courier.key, body.clone()).await;
    assert_eq!(by_courier.status, 200, "{}", by_courier.text);
    assert_eq!(by_courier.body["services"].as_array().unwrap().len(), 2);
    let mut no_client = body.clone();
    no_client.as_object_mut().unwrap().remove("clientId");
    assert_eq!(
        app.post("/v1/quotes", &w.courier.key, no_client)
            .await
            .error_field(),
        "clientId"
    );
    let mut plain = body.clone();
    plain.as_object_mut().unwrap().remove("clientId");
    let none = app.post("/v1/quotes", &w.plain.key, plain).await;
    assert_eq!(
        (none.status, none.body.clone()),
        (200, json!({"services": []}))
    );
}

async fn orders_are_quoted_and_unquotable_ones_refused_or_drafted(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    // Fastest (the client's rule by default): express.
    let fastest = app.post("/v1/orders", &w.client.key, order(2.0, 1)).await;
    assert_eq!(fastest.status, 201, "{}", fastest.text);
    assert_eq!(fastest.body["status"], "placed");
    assert_eq!(fastest.body["quote"]["serviceId"], json!(w.express));
    assert_eq!(fastest.body["quote"]["serviceName"], "Express");
    assert_eq!(fastest.body["quote"]["price"], 2500);
    assert_eq!(fastest.body["quote"]["currency"], "EUR");
    assert_eq!(
        fastest.body["quote"]["readyBy"],
        "2026-11-30T10:00:00+01:00"
    );
    assert_eq!(
        fastest.body["quote"]["completeBy"],
        "2026-11-30T12:00:00+01:00"
    );
    // Named: the next-day service.
    let mut named = order(2.0, 1);
    named["serviceId"] = json!(w.standard);
    let named = app.post("/v1/orders", &w.client.key, named).await;
    assert_eq!(named.status, 201, "{}", named.text);
    assert_eq!(named.body["quote"]["serviceId"], json!(w.standard));
    assert_eq!(named.body["serviceId"], json!(w.standard));
    // Cheapest: the courier switches the client's rule.
    let client = app
        .get(&format!("/v1/clients/{}", w.client.id), &w.courier.key)
        .await;
    let switched = patch(
        app,
        &format!("/v1/clients/{}", w.client.id),
        &w.courier.key,
        json!({"serviceSelection": "cheapest", "version": client.body["version"]}),
    )
    .await;
    assert_eq!(switched.status, 200, "{}", switched.text);
    let cheapest = app.post("/v1/orders", &w.client.key, order(2.0, 1)).await;
    assert_eq!(cheapest.body["quote"]["serviceId"], json!(w.standard));
    assert!(cheapest.body["quote"]["price"].as_u64().unwrap() < 2500);
    // The courier creating an order for the client gets the same quoting.
    let mut for_client = order(2.0, 1);
    for_client["clientId"] = json!(w.client.id);
    let by_courier = app.post("/v1/orders", &w.courier.key, for_client).await;
    assert_eq!(by_courier.status, 201, "{}", by_courier.text);
    assert_eq!(by_courier.body["quote"]["serviceId"], json!(w.standard));

    // Nothing can take 20 kg to a place outside both areas: 422 with the reasons.
    let mut far = order(20.0, 1);
    far["dropoff"]["address"] = marseille();
    let refused = app.post("/v1/orders", &w.client.key, far.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.error_code(), "not_quotable");
    assert_eq!(
        refused.body["error"]["reasons"],
        json!(["too_heavy", "outside_area"])
    );
    assert_eq!(
        refused.body["error"]["services"].as_array().unwrap().len(),
        2
    );
    // A named service that cannot take it: 422 on serviceId.
    let mut named_heavy = order(20.0, 1);
    named_heavy["serviceId"] = json!(w.express);
    let r = app.post("/v1/orders", &w.client.key, named_heavy).await;
    assert_eq!(
        (r.status, r.error_code(), r.error_field()),
        (422, "not_quotable", "serviceId")
    );
    assert_eq!(r.body["error"]["reasons"], json!(["too_heavy"]));

    // Asked as a draft: saved with its reasons.
    far["draft"] = json!(true);
    let draft = app.post("/v1/orders", &w.client.key, far).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    assert_eq!(draft.body["status"], "draft");
    assert_eq!(
        draft.body["draftReasons"],
        json!(["too_heavy", "outside_area"])
    );
    assert!(draft.body.get("quote").is_none());
    let id = draft.body["id"].as_str().unwrap();
    // Finalising it as it is: 422, still a draft.
    let early = app
        .post(
            &format!("/v1/orders/{id}/finalize"),
            &w.client.key,
            json!({}),
        )
        .await;
    assert_eq!((early.status, early.error_code()), (422, "not_quotable"));
    assert_eq!(
        app.get(&format!("/v1/orders/{id}"), &w.client.key)
            .await
            .body["status"],
        "draft"
    );
    // An edit re-quotes: lighter and to Paris, the draft has a quote and no reasons.
    let (_, dropoff) = stops();
    let edited = patch(
        app,
        &format!("/v1/orders/{id}"),
        &w.client.key,
        json!({"version": 1, "weight": 2, "dropoff": dropoff}),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.body["status"], "draft");
    assert!(edited.body.get("draftReasons").is_none(), "{}", edited.text);
    assert_eq!(edited.body["quote"]["serviceId"], json!(w.standard));
    // The courier finalises it: placed, with its quote.
    let placed = app
        .post(
            &format!("/v1/orders/{id}/finalize"),
            &w.courier.key,
            json!({}),
        )
        .await;
    assert_eq!(placed.status, 200, "{}", placed.text);
    assert_eq!(placed.body["status"], "placed");
    assert_eq!(placed.body["quote"]["serviceId"], json!(w.standard));
    // A placed order cannot be edited into one no service takes.
    let (_, mut away) = stops();
    away["address"] = marseille();
    let moved = patch(
        app,
        &format!("/v1/orders/{id}"),
        &w.client.key,
        json!({"version": placed.body["version"], "dropoff": away}),
    )
    .await;
    assert_eq!(
        (moved.status, moved.error_code()),
        (422, "not_quotable"),
        "{}",
        moved.text
    );

    // A client without services works as before: no quote, no reasons.
    let plain = app.post("/v1/orders", &w.plain.key, order(20.0, 1)).await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    assert!(plain.body.get("quote").is_none());
    let mut named_plain = order(2.0, 1);
    named_plain["serviceId"] = json!(w.express);
    let r = app.post("/v1/orders", &w.plain.key, named_plain).await;
    assert_eq!((r.status, r.error_field()), (422, "serviceId"));
}

async fn a_change_reaches_every_client_copy_and_items_in_use_stay(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let second = app
        .onboard_client(&w.courier, "Second Shop", "orders@second.example")
        .await;
    let given = put_services(
        app,
        &w.courier,
        &second.id,
        json!([{"serviceId": w.express, "rateTableId": w.flat}]),
    )
    .await;
    assert_eq!(given.status, 200, "{}", given.text);
    // One change of the flat rate reaches both clients (giving it to a client moved its
    // version on: the version read is the one to send).
    let read = app
        .get(&format!("/v1/rate-tables/{}", w.flat), &w.courier.key)
        .await;
    let version = read.body["version"].as_u64().unwrap();
    let changed = patch(
        app,
        &format!("/v1/rate-tables/{}", w.flat),
        &w.courier.key,
        json!({"base": {"method": "flat", "amount": 3100}, "version": version}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["version"], version + 1);
    assert_eq!(changed.body["clientCount"], 2);
    let currency = patch(
        app,
        &format!("/v1/rate-tables/{}", w.flat),
        &w.courier.key,
        json!({"currency": "USD"}),
    )
    .await;
    assert_eq!((currency.status, currency.error_field()), (422, "currency"));
    for key in [&w.client.key, &second.key] {
        let order = app.post("/v1/orders", key, order(2.0, 1)).await;
        assert_eq!(order.body["quote"]["price"], 3100, "{}", order.text);
    }
    // The service's new name too; a stale version is refused.
    let renamed = patch(
        app,
        &format!("/v1/services/{}", w.express),
        &w.courier.key,
        json!({"name": "Express 2h", "cutoff": null}),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert!(renamed.body.get("cutoff").is_none());
    let own = app.get("/v1/services", &second.key).await;
    assert_eq!(own.body["items"][0]["name"], "Express 2h");
    let stale = patch(
        app,
        &format!("/v1/services/{}", w.express),
        &w.courier.key,
        json!({"name": "Old", "version": 1}),
    )
    .await;
    assert_eq!(
        (stale.status, stale.error_code()),
        (409, "version_conflict")
    );
    // In use: not deleted.
    let in_use = app
        .call(
            "DELETE",
            &format!("/v1/services/{}", w.express),
            Some(&w.courier.key),
            None,
        )
        .await;
    assert_eq!((in_use.status, in_use.error_code()), (409, "in_use"));
    let in_use = app
        .call(
            "DELETE",
            &format!("/v1/rate-tables/{}", w.flat),
            Some(&w.courier.key),
            None,
        )
        .await;
    assert_eq!((in_use.status, in_use.error_code()), (409, "in_use"));
    // Taken off one client, the other one deleted (which takes it off too), then deleted.
    let r = put_services(app, &w.courier, &w.client.id, json!([])).await;
    assert_eq!((r.status, r.body.clone()), (200, json!({"services": []})));
    let r = app
        .call(
            "DELETE",
            &format!("/v1/clients/{}", second.id),
            Some(&w.courier.key),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let service = app
        .get(&format!("/v1/services/{}", w.express), &w.courier.key)
        .await;
    assert_eq!(service.body["clientCount"], 0);
    for uri in [
        format!("/v1/services/{}", w.express),
        format!("/v1/rate-tables/{}", w.flat),
    ] {
        let r = app.call("DELETE", &uri, Some(&w.courier.key), None).await;
        assert_eq!(r.status, 204, "{uri}: {}", r.text);
        assert_eq!(app.get(&uri, &w.courier.key).await.status, 404);
    }
    // Without services the client's orders are not quoted any more.
    let unquoted = app.post("/v1/orders", &w.client.key, order(2.0, 1)).await;
    assert_eq!(unquoted.status, 201);
    assert!(unquoted.body.get("quote").is_none());
    let _ = (&w.standard, &w.per_km);
}

async fn another_tenants_pricing_is_not_found(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let before = app
        .get(&format!("/v1/services/{}", w.express), &w.courier.key)
        .await
        .body;
    let rival = app.create_courier("Rival Riders").await;
    for uri in [
        format!("/v1/services/{}", w.express),
        format!("/v1/rate-tables/{}", w.flat),
        format!("/v1/clients/{}/services", w.client.id),
    ] {
        assert_eq!(app.get(&uri, &rival.key).await.status, 404, "GET {uri}");
    }
    for (method, uri, body) in [
        (
            "PATCH",
            format!("/v1/services/{}", w.express),
            json!({"name": "Mine"}),
        ),
        (
            "PATCH",
            format!("/v1/rate-tables/{}", w.flat),
            json!({"name": "Mine"}),
        ),
        ("DELETE", format!("/v1/services/{}", w.express), json!({})),
        ("DELETE", format!("/v1/rate-tables/{}", w.flat), json!({})),
        (
            "PUT",
            format!("/v1/clients/{}/services", w.client.id),
            json!({"services": []}),
        ),
    ] {
        let r = app.call(method, &uri, Some(&rival.key), Some(body)).await;
        assert_eq!(r.status, 404, "{method} {uri}: {}", r.text);
    }
    assert_eq!(
        app.get("/v1/services", &rival.key).await.body,
        json!({"items": []})
    );
    // The rival cannot give the courier's services to its own client, nor quote for ours.
    let own = app
        .create_client(&rival, "Rival Client", "c@rival.example")
        .await;
    let r = put_services(
        app,
        &rival,
        &own,
        json!([{"serviceId": w.express, "rateTableId": w.flat}]),
    )
    .await;
    assert_eq!((r.status, r.error_field()), (422, "services[0].serviceId"));
    let (pickup, dropoff) = stops();
    let r = app
        .post(
            "/v1/quotes",
            &rival.key,
            json!({"pickup": pickup, "dropoff": dropoff, "clientId": w.client.id}),
        )
        .await;
    assert_eq!((r.status, r.error_field()), (422, "clientId"));
    // Nothing changed for the owner.
    let after = app
        .get(&format!("/v1/services/{}", w.express), &w.courier.key)
        .await
        .body;
    assert_eq!(after, before);
}

async fn bad_pricing_input_gets_field_errors(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let with = |base: Value, field: &str, value: Value| {
        let mut body = base;
        body[field] = value;
        body
    };
    for (body, field) in [
        (
            with(express(), "sla", json!({"kind": "same_day", "hours": 0})),
            "sla",
        ),
        (
            with(
                express(),
                "availability",
                json!({"days": ["mon"], "from": "20:00", "to": "08:00"}),
            ),
            "availability",
        ),
        (
            with(
                express(),
                "availability",
                json!({"days": ["monday"], "from": "08:00", "to": "20:00"}),
            ),
            "availability.days[0]",
        ),
        (with(express(), "cutoff", json!("5pm")), "cutoff"),
        (
            with(express(), "holidays", json!(["2026-02-30"])),
            "holidays[0]",
        ),
        (with(express(), "maxPieces", json!(0)), "maxPieces"),
        (with(express(), "colour", json!("red")), "colour"),
    ] {
        let r = app.post("/v1/services", &w.courier.key, body.clone()).await;
        assert_eq!(
            (r.status, r.error_field()),
            (422, field),
            "{body}: {}",
            r.text
        );
    }
    for (body, field) in [
        (with(flat(), "currency", json!("usd")), "currency"),
        (
            with(flat(), "base", json!({"method": "flat", "amount": 2.5})),
            "base.amount",
        ),
        (
            with(flat(), "base", json!({"method": "hourly", "amount": 1})),
            "base.method",
        ),
        (
            with(
                flat(),
                "modifiers",
                json!([{"when": "distance_over", "threshold": 10}]),
            ),
            "modifiers[0]",
        ),
    ] {
        let r = app
            .post("/v1/rate-tables", &w.courier.key, body.clone())
            .await;
        assert_eq!(
            (r.status, r.error_field()),
            (422, field),
            "{body}: {}",
            r.text
        );
    }
    let min_max = app
        .post(
            "/v1/rate-tables",
            &w.courier.key,
            with(flat(), "minPrice", json!(9000)),
        )
        .await;
    assert_eq!(min_max.status, 201, "a minimum alone is fine");
    let r = app
        .post(
            "/v1/rate-tables",
            &w.courier.key,
            with(with(flat(), "minPrice", json!(9000)), "maxPrice", json!(10)),
        )
        .await;
    assert_eq!(r.status, 422);
    // A PATCH is checked as a whole; a read-only field is refused.
    let r = patch(
        app,
        &format!("/v1/services/{}", w.express),
        &w.courier.key,
        json!({"name": null}),
    )
    .await;
    assert_eq!(
        (r.status, r.error_code(), r.error_field()),
        (422, "missing_field", "name")
    );
    let r = patch(
        app,
        &format!("/v1/services/{}", w.express),
        &w.courier.key,
        json!({"clientCount": 0}),
    )
    .await;
    assert_eq!((r.status, r.error_code()), (422, "read_only_field"));
    let r = patch(
        app,
        &format!("/v1/rate-tables/{}", w.per_km),
        &w.courier.key,
        json!({"maxPrice": 100}),
    )
    .await;
    assert_eq!((r.status, r.error_field()), (422, "minPrice"), "900 > 100");
    // One rate table per service; one currency per client; real ids.
    let r = put_services(
        app,
        &w.courier,
        &w.client.id,
        json!([{"serviceId": w.express, "rateTableId": w.flat}, {"serviceId": w.express, "rateTableId": w.per_km}]),
    )
    .await;
    assert_eq!((r.status, r.error_field()), (422, "services[1].serviceId"));
    let usd = created(
        app,
        "/v1/rate-tables",
        &w.courier.key,
        with(flat(), "currency", json!("USD")),
    )
    .await;
    let r = put_services(
        app,
        &w.courier,
        &w.client.id,
        json!([{"serviceId": w.express, "rateTableId": w.flat}, {"serviceId": w.standard, "rateTableId": usd}]),
    )
    .await;
    assert_eq!((r.status, r.error_field()), (422, "services"));
    let r = put_services(
        app,
        &w.courier,
        &w.client.id,
        json!([{"serviceId": w.express, "rateTableId": "rtb_01J9Z3X8Q6V2N4M7K5H3G1F0DE"}]),
    )
    .await;
    assert_eq!(
        (r.status, r.error_field()),
        (422, "services[0].rateTableId")
    );
    let r = put_services(
        app,
        &w.courier,
        &w.client.id,
        json!([{"serviceId": "nope", "rateTableId": w.flat}]),
    )
    .await;
    assert_eq!((r.status, r.error_field()), (422, "services[0].serviceId"));
    // Quotes: dueBy after readyBy, weights as documented.
    let (pickup, dropoff) = stops();
    for (extra, field) in [
        (
            json!({"readyBy": "2026-11-30T12:00:00Z", "dueBy": "2026-11-30T11:00:00Z"}),
            "dueBy",
        ),
        (json!({"weight": {"value": 2, "units": "stone"}}), "weight"),
        (json!({"weight": 0}), "weight"),
        (json!({"pieces": 0}), "pieces"),
        (json!({"readyBy": "tomorrow"}), "readyBy"),
    ] {
        let mut body = json!({"pickup": pickup, "dropoff": dropoff});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app.post("/v1/quotes", &w.client.key, body.clone()).await;
        assert_eq!(
            (r.status, r.error_field()),
            (422, field),
            "{body}: {}",
            r.text
        );
    }
    // The pairs are unchanged by all of this.
    let pairs = app
        .get(
            &format!("/v1/clients/{}/services", w.client.id),
            &w.courier.key,
        )
        .await;
    assert_eq!(pairs.body["services"].as_array().unwrap().len(), 2);
}

async fn changes_racing_with_a_put_never_leave_a_stale_copy(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let pairs = json!([
        {"serviceId": w.express, "rateTableId": w.flat},
        {"serviceId": w.standard, "rateTableId": w.per_km}
    ]);
    let mut renamed = 0;
    for round in 0..6 {
        let name = format!("Express {round}");
        let service_uri = format!("/v1/services/{}", w.express);
        let (change, put) = tokio::join!(
            patch(app, &service_uri, &w.courier.key, json!({ "name": name })),
            put_services(app, &w.courier, &w.client.id, pairs.clone()),
        );
        // Each either went through or answered 409 (nothing half-written).
        for r in [&change, &put] {
            assert!(matches!(r.status, 200 | 409), "{}: {}", r.status, r.text);
        }
        renamed += usize::from(change.status == 200);
        let service = app.get(&service_uri, &w.courier.key).await.body;
        let own = app.get("/v1/services", &w.client.key).await.body;
        assert_eq!(
            own["items"][0]["name"], service["name"],
            "round {round}: the client's copy is the service"
        );
        assert_eq!(service["clientCount"], 1);
    }
    assert!(renamed > 0, "some changes went through");
}

/// The DynamoDB calls of each new route, and of order creation for clients with and without
/// services (moto counts them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_of_pricing_routes_are_pinned() {
    if portal_tests::skip_without_moto() {
        return;
    }
    let w = world(TestApp::new(Backend::Moto).await).await;
    let app = &w.app;
    let c = &w.courier.key;
    let svc = w.express.as_str();
    let rtb = w.flat.as_str();
    let client = w.client.id.as_str();
    type Pin<'a> = (
        &'a str,
        &'a str,
        Vec<(&'a str, &'a str)>,
        Option<Value>,
        u16,
        usize,
    );
    let pinned: Vec<Pin> = vec![
        ("create-service", c, vec![], Some(standard()), 201, 1),
        ("list-services", c, vec![], None, 200, 1),
        ("get-service", c, vec![("serviceId", svc)], None, 200, 1),
        // Read, then one transaction: the service and the client's copy.
        (
            "update-service",
            c,
            vec![("serviceId", svc)],
            Some(json!({"maxPieces": 4})),
            200,
            2,
        ),
        ("create-rate-table", c, vec![], Some(flat()), 201, 1),
        ("list-rate-tables", c, vec![], None, 200, 1),
        (
            "get-rate-table",
            c,
            vec![("rateTableId", rtb)],
            None,
            200,
            1,
        ),
        (
            "update-rate-table",
            c,
            vec![("rateTableId", rtb)],
            Some(json!({"minPrice": 100})),
            200,
            2,
        ),
        (
            "get-client-services",
            c,
            vec![("clientId", client)],
            None,
            200,
            1,
        ),
        // One BatchGetItem, one transaction.
        (
            "put-client-services",
            c,
            vec![("clientId", client)],
            Some(json!({"services": [{"serviceId": svc, "rateTableId": rtb}]})),
            200,
            2,
        ),
        // The client's item holds everything a quote needs.
        (
            "create-quote",
            &w.client.key,
            vec![],
            Some(order(2.0, 1)),
            200,
            1,
        ),
        (
            "create-quote",
            &w.plain.key,
            vec![],
            Some(order(2.0, 1)),
            200,
            0,
        ),
        ("list-services", &w.client.key, vec![], None, 200, 1),
        ("list-services", &w.plain.key, vec![], None, 200, 0),
        // A client with services reads its item, then the search terms' BatchWriteItem and
        // the one transaction; without, no read.
        (
            "create-order",
            &w.client.key,
            vec![],
            Some(order(2.0, 1)),
            201,
            3,
        ),
        (
            "create-order",
            &w.plain.key,
            vec![],
            Some(order(2.0, 1)),
            201,
            2,
        ),
        // In use: the service, then the names of the clients it is given to (one BatchGetItem).
        ("delete-service", c, vec![("serviceId", svc)], None, 409, 2),
    ];
    for (function, key, params, body, status, calls) in pinned {
        app.calls.take();
        let r = app.invoke(function, key, &params, body.clone()).await;
        assert_eq!(r.status, status, "{function}: {}", r.text);
        assert_eq!(app.calls.take(), calls, "{function} {body:?}");
    }
    // A draft finalised by its client: the order, the client's pricing, the update.
    let mut draft = order(2.0, 1);
    draft["draft"] = json!(true);
    let draft = app
        .invoke("create-order", &w.client.key, &[], Some(draft))
        .await;
    let id = draft.body["id"].as_str().unwrap();
    app.calls.take();
    let placed = app
        .invoke("finalize-order", &w.client.key, &[("orderId", id)], None)
        .await;
    assert_eq!(placed.status, 200, "{}", placed.text);
    assert_eq!(
        app.calls.take(),
        3,
        "finalize = GetItem order, GetItem client, UpdateItem"
    );
    // Deleting an unused item: read, then a conditional delete.
    let spare = app.invoke("create-service", c, &[], Some(express())).await;
    let spare = spare.body["id"].as_str().unwrap().to_string();
    app.calls.take();
    let r = app
        .invoke("delete-service", c, &[("serviceId", spare.as_str())], None)
        .await;
    assert_eq!((r.status, app.calls.take()), (204, 2));
}
