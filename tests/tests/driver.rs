//! The driver on the recipient's side, on both stores: positions posted as often as
//! dispatch has them (validated, one write, no notification, nothing the fan-out takes),
//! shown on the tracking page with Call / Text only while the driver is on the way to the
//! recipient and only when the client allows it (never the driver's surname); and the
//! recipient's rating of a completed delivery, given once, seen by the client and the courier.

use bytes::Bytes;
use portal_tests::{on_both_backends, Backend, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::team::joined;
use crate::web_pages::{client_with_user, get, post, HOST};

on_both_backends!(
    driver_positions_are_validated_and_kept_without_waking_the_fanout,
    the_tracking_page_shows_the_driver_only_on_the_way_and_call_text_only_when_allowed,
    a_recipient_rates_a_completed_delivery_once_and_both_order_pages_show_it,
);

const DRIVER_PHONE: &str = "+33600000001";

struct World {
    app: TestApp,
    courier: Org,
    /// The courier's person's session.
    cookie: String,
    /// The client's id and its person's session.
    client: (String, String),
    order: Value,
}

async fn world(app: TestApp) -> World {
    app.clock.travel_to("2026-12-01T09:00:00Z".parse().unwrap());
    let courier = app.create_courier("Swift Couriers").await;
    let (_, cookie) = joined(&app, &courier, "ops@swift.example", "admin").await;
    let client = client_with_user(&app, &courier, "Bloom Florist", "pia@bloom.example").await;
    let created = app
        .post(
            "/v1/orders",
            &courier.key,
            json!({
                "clientId": client.0,
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris", "country": "FR"},
                            "recipient": {"name": "Marie Curie", "phone": "+33698765432"}},
                "weight": 1, "pieces": 1
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    World {
        app,
        courier,
        cookie,
        client,
        order: created.body,
    }
}

impl World {
    fn task(&self, kind: &str) -> String {
        self.order[kind]["id"].as_str().unwrap().to_string()
    }

    async fn event(&self, kind: &str, body: Value) -> Value {
        let response = self
            .app
            .post(
                &format!("/v1/tasks/{}/events", self.task(kind)),
                &self.courier.key,
                body,
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        response.body
    }

    async fn location(&self, key: &str, kind: &str, body: Value) -> TestResponse {
        self.app
            .post(
                &format!("/v1/tasks/{}/location", self.task(kind)),
                key,
                body,
            )
            .await
    }

    /// Both tasks assigned (the dropoff's driver with a number), the pickup done.
    async fn picked_up(&self) {
        let driver =
            json!({"type": "assigned", "driver": {"name": "Sam Driver", "phone": DRIVER_PHONE}});
        self.event("pickup", driver.clone()).await;
        self.event("dropoff", driver).await;
        self.event("pickup", json!({"type": "started"})).await;
        self.event("pickup", json!({"type": "completed"})).await;
    }

    fn track_path(&self) -> String {
        let url = self.order["trackingUrl"].as_str().unwrap();
        url[url.find("/track/").unwrap()..].to_string()
    }

    async fn tracking(&self, json: bool) -> TestResponse {
        let accept = if json {
            "application/json"
        } else {
            "text/html"
        };
        self.app
            .raw(
                "GET",
                &self.track_path(),
                &[("accept", accept)],
                Bytes::new(),
            )
            .await
    }

    async fn version(&self) -> u64 {
        let id = self.order["id"].as_str().unwrap();
        let read = self
            .app
            .get(&format!("/v1/orders/{id}"), &self.courier.key)
            .await;
        read.body["version"].as_u64().unwrap()
    }
}

async fn driver_positions_are_validated_and_kept_without_waking_the_fanout(app: TestApp) {
    let w = world(app).await;
    w.picked_up().await;
    w.event("dropoff", json!({"type": "started"})).await;
    // Each bad value: 422 naming its field.
    for (body, field) in [
        (json!({"lat": 91, "lng": 2.35}), "lat"),
        (json!({"lat": -90.5, "lng": 2.35}), "lat"),
        (json!({"lat": 48.85, "lng": 180.01}), "lng"),
        (json!({"lat": 48.85}), "lng"),
        (json!({"lat": 48.85, "lng": 2.35, "at": "yesterday"}), "at"),
        (json!({"lat": "48.85", "lng": 2.35}), "lat"),
        (json!({"lat": 48.85, "lng": 2.35, "speed": 12}), "speed"),
    ] {
        let refused = w.location(&w.courier.key, "dropoff", body.clone()).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        assert_eq!(
            refused.body["error"]["field"], field,
            "{body}: {}",
            refused.text
        );
    }
    let event = w
        .app
        .post(
            &format!("/v1/tasks/{}/events", w.task("dropoff")),
            &w.courier.key,
            json!({"type": "eta", "eta": "2026-12-01T09:30:00Z", "location": {"lat": 100, "lng": 0}}),
        )
        .await;
    assert_eq!(event.status, 422, "{}", event.text);
    assert_eq!(event.body["error"]["field"], "location.lat");
    let unknown = w
        .app
        .post(
            "/v1/tasks/nope/location",
            &w.courier.key,
            json!({"lat": 1, "lng": 1}),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);

    w.app.deliver_stream().await;
    let (version, sms) = (w.version().await, w.app.sms().len());
    // Positions out of order: the latest is kept, the older one changes nothing.
    let kept = w
        .location(
            &w.courier.key,
            "dropoff",
            json!({"lat": 48.8566, "lng": 2.3522, "at": "2026-12-01T10:02:00+01:00"}),
        )
        .await;
    assert_eq!(kept.status, 200, "{}", kept.text);
    assert_eq!(kept.body["latest"], true);
    assert_eq!(kept.body["location"]["at"], "2026-12-01T09:02:00.000Z");
    let older = w
        .location(
            &w.courier.key,
            "dropoff",
            json!({"lat": 48.0, "lng": 2.0, "at": "2026-12-01T09:01:00Z"}),
        )
        .await;
    assert_eq!((older.status, &older.body["latest"]), (200, &json!(false)));
    // Another courier cannot move this order's driver.
    let other = w.app.create_courier("Other Couriers").await;
    let foreign = w
        .location(&other.key, "dropoff", json!({"lat": 10.0, "lng": 10.0}))
        .await;
    assert_eq!(foreign.status, 200, "{}", foreign.text);
    let shown = w.tracking(true).await;
    assert_eq!(
        shown.body["driverLocation"]["lat"], 48.8566,
        "{}",
        shown.text
    );
    assert_eq!(
        shown.body["driverLocation"]["at"],
        "2026-12-01T09:02:00.000Z"
    );

    // No order change, no message, nothing for the fan-out: its filter takes `ORDER#` keys.
    assert_eq!(w.version().await, version, "the order is untouched");
    assert_eq!(w.app.deliver_stream().await, 0);
    assert_eq!(w.app.sms().len(), sms, "no message");
    let key = portal::store::keys::driver_position(
        w.courier.id.as_str(),
        w.order["id"].as_str().unwrap(),
        "dropoff",
    );
    for event in ["INSERT", "MODIFY", "REMOVE"] {
        assert!(
            !portal::fanout::is_relevant(event, Some(&key.sk)),
            "{event}"
        );
    }

    // A task event's own location is kept on its task, in the order's view.
    let with = w
        .event(
            "dropoff",
            json!({"type": "eta", "eta": "2026-12-01T09:30:00Z",
                   "location": {"lat": 48.87, "lng": 2.33, "at": "2026-12-01T09:03:00Z"}}),
        )
        .await;
    assert_eq!(with["dropoff"]["location"]["lat"], 48.87, "{with}");
    let shown = w.tracking(true).await;
    assert_eq!(
        shown.body["driverLocation"]["lat"], 48.87,
        "the later of the two"
    );
}

async fn tracking_form(w: &World, contact: bool) -> TestResponse {
    let mut form = vec![
        ("primaryColor", "#1a73e8"),
        ("headerTextColor", "#ffffff"),
        ("backgroundColor", "#f5f7fa"),
        ("textColor", "#1f2933"),
        ("logoUrl", ""),
        ("showEta", "on"),
        ("showDriverName", "on"),
        ("showProofOfDelivery", "on"),
        ("action", "save"),
    ];
    if contact {
        form.push(("contactDriver", "on"));
    }
    post(&w.app, "/settings/tracking-page", &w.client.1, &form).await
}

async fn the_tracking_page_shows_the_driver_only_on_the_way_and_call_text_only_when_allowed(
    app: TestApp,
) {
    let w = world(app).await;
    // Off by default, on the settings page.
    let settings = get(&w.app, "/settings/tracking-page", &w.client.1).await;
    assert!(
        settings
            .text
            .contains("name=\"contactDriver\" value=\"on\"> Call and Text buttons"),
        "{}",
        settings.text
    );
    w.picked_up().await;
    // A position before the driver sets off for this dropoff: not shown.
    let early = w
        .location(
            &w.courier.key,
            "dropoff",
            json!({"lat": 45.76, "lng": 4.83}),
        )
        .await;
    assert_eq!(early.status, 200, "{}", early.text);
    let before = w.tracking(true).await;
    assert!(
        before.body.get("driverLocation").is_none(),
        "{}",
        before.text
    );
    assert!(before.body.get("driverPhone").is_none());

    w.app
        .clock
        .travel_to("2026-12-01T09:05:00Z".parse().unwrap());
    w.event(
        "dropoff",
        json!({"type": "started", "location": {"lat": 48.8566, "lng": 2.3522}}),
    )
    .await;
    let moving = w.tracking(true).await;
    assert_eq!(
        moving.body["driverLocation"]["lat"], 48.8566,
        "{}",
        moving.text
    );
    // In the courier's time zone (Paris), in words.
    assert_eq!(
        moving.body["driverLocation"]["atLocal"],
        "1 Dec 2026, 10:05"
    );
    assert!(moving.body.get("driverPhone").is_none(), "not allowed yet");
    let html = w.tracking(false).await;
    assert!(
        html.text.contains("id=\"driver-location\""),
        "{}",
        html.text
    );
    assert!(html.text.contains(">1 Dec 2026, 10:05</time>"));
    assert!(html.text.contains("href=\"geo:48.856600,2.352200\""));
    assert!(!html.text.contains("tel:") && !html.text.contains("sms:"));

    // The client allows contacting the driver: Call and Text, first name only.
    assert_eq!(tracking_form(&w, true).await.status, 303);
    let again = get(&w.app, "/settings/tracking-page", &w.client.1).await;
    assert!(again
        .text
        .contains("name=\"contactDriver\" value=\"on\" checked>"));
    w.app
        .clock
        .travel_to("2026-12-01T09:07:00Z".parse().unwrap());
    let moved = w
        .location(
            &w.courier.key,
            "dropoff",
            json!({"lat": 48.86, "lng": 2.34}),
        )
        .await;
    assert_eq!(moved.status, 200);
    let html = w.tracking(false).await;
    assert!(
        html.text.contains(&format!(
            "id=\"call-driver\" href=\"tel:{DRIVER_PHONE}\">Call Sam</a>"
        )),
        "{}",
        html.text
    );
    assert!(html.text.contains(&format!(
        "id=\"text-driver\" href=\"sms:{DRIVER_PHONE}\">Text Sam</a>"
    )));
    assert!(html.text.contains(">1 Dec 2026, 10:07</time>"));
    assert!(!html.text.contains("Driver<") && !html.text.contains("Sam Driver"));
    assert_eq!(w.tracking(true).await.body["driverPhone"], DRIVER_PHONE);

    // Turned off again: gone.
    assert_eq!(tracking_form(&w, false).await.status, 303);
    assert!(!w.tracking(false).await.text.contains("tel:"));
    assert_eq!(tracking_form(&w, true).await.status, 303);

    // Delivered: no position, no buttons.
    w.event("dropoff", json!({"type": "completed"})).await;
    let done = w.tracking(false).await;
    assert!(
        !done.text.contains("id=\"driver-location\""),
        "{}",
        done.text
    );
    assert!(!done.text.contains("tel:") && !done.text.contains("sms:"));
    let json = w.tracking(true).await;
    assert!(json.body.get("driverLocation").is_none());
    assert!(json.body.get("driverPhone").is_none());
}

async fn rate(w: &World, stars: &str, comment: &str) -> TestResponse {
    post(
        &w.app,
        &format!("{}/rating", w.track_path()),
        "",
        &[("stars", stars), ("comment", comment)],
    )
    .await
}

async fn a_recipient_rates_a_completed_delivery_once_and_both_order_pages_show_it(app: TestApp) {
    let w = world(app).await;
    w.picked_up().await;
    w.event("dropoff", json!({"type": "started"})).await;
    let early = rate(&w, "5", "").await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert!(early.text.contains("not completed yet"));
    assert!(!w.tracking(false).await.text.contains("id=\"rate\""));

    w.event("dropoff", json!({"type": "completed"})).await;
    let page = w.tracking(false).await;
    assert!(
        page.text.contains(&format!(
            "<form method=\"post\" action=\"{}/rating\"",
            w.track_path()
        )),
        "{}",
        page.text
    );
    assert_eq!(w.tracking(true).await.body["canRate"], true);

    // Bad fields: next to each, what was typed kept.
    let long = "x".repeat(1001);
    let bad = rate(&w, "", &long).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("id=\"stars-error\""), "{}", bad.text);
    assert!(bad.text.contains("id=\"comment-error\""));
    assert!(bad.text.contains(&format!(">{long}</textarea>")));
    assert_eq!(rate(&w, "6", "").await.status, 422);

    // From another site: refused.
    let evil = w
        .app
        .raw(
            "POST",
            &format!("{}/rating", w.track_path()),
            &[
                ("host", HOST),
                ("origin", "https://evil.example"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Bytes::from("stars=1"),
        )
        .await;
    assert_eq!(evil.status, 403);

    let rated = rate(&w, "4", "Lovely <b>driver</b>").await;
    assert_eq!(rated.status, 303, "{}", rated.text);
    let back = rated.header("location").unwrap().to_string();
    assert_eq!(back, format!("{}?rated=1", w.track_path()));
    let thanked = w
        .app
        .raw("GET", &back, &[("accept", "text/html")], Bytes::new())
        .await;
    assert!(
        thanked.text.contains("Thank you for your rating."),
        "{}",
        thanked.text
    );
    assert!(thanked.text.contains("4 out of 5"));
    assert!(
        thanked.text.contains("Lovely &#60;b&#62;driver")
            || thanked.text.contains("Lovely &lt;b&gt;driver")
    );
    assert!(!thanked.text.contains("<form method=\"post\""));

    // Once only.
    let again = rate(&w, "1", "Changed my mind").await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(again.text.contains("rated already"));
    let json = w.tracking(true).await;
    assert_eq!(json.body["rating"]["stars"], 4);
    assert_eq!(json.body["canRate"], false);

    // The API's order view, the client's and the courier's order pages.
    let id = w.order["id"].as_str().unwrap();
    let api = w.app.get(&format!("/v1/orders/{id}"), &w.courier.key).await;
    assert_eq!(api.body["rating"]["stars"], 4, "{}", api.text);
    assert_eq!(api.body["rating"]["comment"], "Lovely <b>driver</b>");
    for cookie in [&w.client.1, &w.cookie] {
        let page = get(&w.app, &format!("/orders/{id}"), cookie).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(
            page.text.contains("id=\"recipient-rating\""),
            "{}",
            page.text
        );
        assert!(page.text.contains("4 out of 5"));
        assert!(!page.text.contains("<b>driver</b>"), "escaped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_for_driver_positions_and_ratings_are_pinned() {
    if portal_tests::skip_without_moto() {
        return;
    }
    let w = world(TestApp::new(Backend::Moto).await).await;
    w.picked_up().await;
    w.event("dropoff", json!({"type": "started"})).await;
    let dropoff = w.task("dropoff");
    for n in 0..3 {
        let response = w
            .app
            .invoke(
                "record-task-location",
                &w.courier.key,
                &[("taskId", &dropoff)],
                Some(json!({"lat": 48.85 + f64::from(n) / 100.0, "lng": 2.35})),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(w.app.calls.take(), 1, "one PutItem per position");
    }
    w.app.calls.take();
    let shown = w.tracking(true).await;
    assert!(shown.body.get("driverLocation").is_some(), "{}", shown.text);
    assert_eq!(
        w.app.calls.take(),
        3,
        "Query GSI3, GetItem the order, one BatchGetItem: client, courier, position"
    );
    w.event("dropoff", json!({"type": "completed"})).await;
    w.app.calls.take();
    assert_eq!(rate(&w, "5", "").await.status, 303);
    assert_eq!(
        w.app.calls.take(),
        3,
        "Query GSI3, GetItem the order, one conditional UpdateItem"
    );
}
