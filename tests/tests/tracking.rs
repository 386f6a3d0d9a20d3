//! The recipient's tracking page: HTML and JSON, the client's branding, escaping, the
//! uniform 404, and one lookup call.

use bytes::Bytes;
use portal_tests::{on_both_backends, Backend, Org, TestApp};
use serde_json::{json, Value};

on_both_backends!(
    the_tracking_page_shows_progress_styled_by_the_client,
    unknown_tokens_answer_the_same_404,
);

async fn setup(app: &TestApp, client_name: &str) -> (Org, Org, Value) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, client_name, "orders@bloom.example")
        .await;
    let order = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                            "recipient": {"name": "Marie", "phone": "+33698765432"}}
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    (courier, client, order.body)
}

/// The text a recipient reads: the page without its tags (and without its style sheet).
fn text_of(html: &str) -> String {
    let body = html.split("</style>").last().unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn track_path(order: &Value) -> String {
    let url = order["trackingUrl"].as_str().unwrap();
    url[url.find("/track/").unwrap()..].to_string()
}

async fn page(app: &TestApp, path: &str, json: bool) -> portal_tests::TestResponse {
    let headers: &[(&str, &str)] = if json {
        &[("accept", "application/json")]
    } else {
        &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")]
    };
    app.raw("GET", path, headers, Bytes::new()).await
}

async fn event(app: &TestApp, courier: &Org, order: &Value, kind: &str, body: Value) {
    let task = order[kind]["id"].as_str().unwrap();
    let response = app
        .post(&format!("/v1/tasks/{task}/events"), &courier.key, body)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
}

async fn the_tracking_page_shows_progress_styled_by_the_client(app: TestApp) {
    // The day before the ETA, whatever the date: an ETA on another day shows its day.
    app.clock.travel_to("2026-11-30T12:00:00Z".parse().unwrap());
    let (courier, client, order) = setup(&app, "Bloom <script>alert(1)</script> & Co").await;
    let path = track_path(&order);
    let settings = app
        .call(
            "PUT",
            "/v1/settings/tracking-page",
            Some(&client.key),
            Some(json!({"primaryColor": "#ff5500", "logoUrl": "https://cdn.bloom.example/logo.png?a=1&b=2"})),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.text);

    let placed = page(&app, &path, false).await;
    assert_eq!(placed.status, 200);
    assert_eq!(
        placed.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(placed.header("cache-control"), Some("no-store"));
    assert_eq!(placed.header("referrer-policy"), Some("no-referrer"));
    assert!(placed.text.contains("Order received"), "{}", placed.text);
    assert!(placed.text.contains("Swift Couriers"));
    assert!(placed.text.contains(order["shortId"].as_str().unwrap()));
    assert!(placed.text.contains("--primary: #ff5500"));
    assert!(
        placed
            .text
            .contains(r#"src="https://cdn.bloom.example/logo.png?a=1&#38;b=2""#)
            || placed
                .text
                .contains(r#"src="https://cdn.bloom.example/logo.png?a=1&amp;b=2""#)
    );
    assert!(
        !placed.text.contains("<script>"),
        "the client name is escaped"
    );
    assert!(
        placed.text.contains("Bloom &#60;script&#62;")
            || placed.text.contains("Bloom &lt;script&gt;")
    );

    event(
        &app,
        &courier,
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam <b>Driver</b>"}}),
    )
    .await;
    event(&app, &courier, &order, "pickup", json!({"type": "started"})).await;
    event(
        &app,
        &courier,
        &order,
        "pickup",
        json!({"type": "completed"}),
    )
    .await;
    event(
        &app,
        &courier,
        &order,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam <b>Driver</b>"}}),
    )
    .await;
    event(
        &app,
        &courier,
        &order,
        "dropoff",
        json!({"type": "started"}),
    )
    .await;
    event(
        &app,
        &courier,
        &order,
        "dropoff",
        json!({"type": "eta", "eta": "2026-12-01T10:30:00Z"}),
    )
    .await;
    let moving = page(&app, &path, true).await;
    assert_eq!(moving.status, 200, "{}", moving.text);
    assert_eq!(moving.body["status"], "in_progress");
    assert_eq!(moving.body["statusText"], "On its way");
    assert_eq!(moving.body["driverFirstName"], "Sam");
    assert_eq!(moving.body["eta"], "2026-12-01T10:30:00.000Z");
    assert_eq!(
        moving.body["etaLocal"], "Tue Dec 1, 11:30 AM",
        "the courier's zone"
    );
    assert_eq!(moving.body["courierName"], "Swift Couriers");
    assert_eq!(moving.body["branding"]["primaryColor"], "#ff5500");
    assert!(moving.body.get("proofOfDelivery").is_none());
    assert!(moving.body.get("trackingToken").is_none());
    assert!(
        moving.body.get("recipient").is_none(),
        "no personal details"
    );

    event(&app, &courier, &order, "dropoff", json!({"type": "completed", "proof": {"signature": "M. Curie", "photos": ["https://proof.example/p1.jpg"]}})).await;
    let done = page(&app, &path, false).await;
    assert!(done.text.contains("Delivered"), "{}", done.text);
    assert!(done.text.contains("https://proof.example/p1.jpg"));
    assert!(done.text.contains("M. Curie"));
    // When it was delivered, in the courier's time zone (Paris), never an ISO timestamp.
    assert!(
        done.text.contains(">30 Nov 2026, 13:00</time>"),
        "{}",
        done.text
    );
    let shown = text_of(&done.text);
    assert!(
        !shown.contains("2026-11-30T") && !shown.contains("in_progress"),
        "{shown}"
    );
    let json = page(&app, &path, true).await;
    assert_eq!(json.body["proofOfDelivery"]["signature"], "M. Curie");
    assert!(json.body.get("etaLocal").is_none(), "no ETA once delivered");

    // The client hides the driver and the proof.
    app.call(
        "PUT",
        "/v1/settings/tracking-page",
        Some(&client.key),
        Some(json!({"showDriverName": false, "showProofOfDelivery": false})),
    )
    .await;
    let hidden = page(&app, &path, true).await;
    assert!(hidden.body.get("driverFirstName").is_none());
    assert!(hidden.body.get("proofOfDelivery").is_none());

    if app.backend == Backend::Moto {
        // The lookup is one Query on GSI3 (keys only) and the order's GetItem; the
        // branding and names one BatchGetItem.
        app.calls.take();
        page(&app, &path, true).await;
        assert_eq!(app.calls.take(), 3);
    }
}

async fn unknown_tokens_answer_the_same_404(app: TestApp) {
    let (_, _, order) = setup(&app, "Bloom Florist").await;
    let real = track_path(&order);
    let mut altered = real.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let mut bodies = vec![];
    for path in [
        altered.as_str(),
        "/track/short",
        "/track/..%2F..%2Fetc",
        "/track/AAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let html = page(&app, path, false).await;
        assert_eq!(html.status, 404, "{path}");
        assert!(html.text.contains("Tracking link not found"));
        let json = page(&app, path, true).await;
        assert_eq!(
            (json.status, json.error_code()),
            (404, "not_found"),
            "{path}"
        );
        bodies.push((html.text, json.text));
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "no hint which tokens exist"
    );
    assert_eq!(page(&app, &real, true).await.status, 200);
}
