//! Keeping people informed: the status fan-out on the table's stream (SMS and email, each
//! sent once), partial batch failures, STOP/START/HELP, the client's settings.

use aws_lambda_events::dynamodb::EventRecord;
use portal::fanout::inbound::{handle_inbound, InboundSms, HELP_REPLY};
use portal_tests::{on_both_backends, Backend, Org, TestApp};
use serde_json::{json, Value};

on_both_backends!(
    task_events_text_the_recipient_once_with_the_clients_templates,
    rejected_and_failed_orders_email_the_client_once,
    etas_and_delays_use_the_clients_zone_and_missing_templates_send_nothing,
    stop_silences_a_number_until_start_and_help_answers,
    a_poisoned_record_is_reported_and_the_rest_go_through_once,
    a_failed_send_is_retried_and_sent_once,
    notification_settings_are_validated_and_have_defaults,
    tracking_page_settings_are_validated,
    a_template_is_held_to_three_sms_segments_at_worst,
    a_permanent_failure_is_skipped_recorded_and_the_batch_goes_on,
    a_transient_failure_reports_exactly_its_record_and_a_retry_sends_once,
    a_refused_email_is_not_retried,
    a_replay_sends_a_lost_sms_once_and_a_second_replay_nothing,
    thirty_etas_text_the_recipient_at_most_three_times,
    the_arriving_time_is_validated_and_an_arrival_after_it_sends_nothing_more,
);

const RECIPIENT: &str = "+33698765432";

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

impl World {
    async fn order(&self) -> Value {
        self.order_to(RECIPIENT).await
    }

    async fn order_to(&self, recipient: &str) -> Value {
        let body = json!({
            "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}, "contact": {"name": "Ana", "phone": "+33612345678"}},
            "dropoff": {
                "address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                "recipient": {"name": "Marie Curie", "phone": recipient},
                "window": {"completeBefore": "2026-12-01T12:00:00+01:00"}
            },
            "weight": 1.0, "pieces": 1
        });
        let response = self.app.post("/v1/orders", &self.client.key, body).await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.body
    }

    async fn event(&self, order: &Value, kind: &str, body: Value) -> Value {
        let task = order[kind]["id"].as_str().unwrap();
        let response = self
            .app
            .post(&format!("/v1/tasks/{task}/events"), &self.courier.key, body)
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        response.body
    }

    async fn put_settings(&self, path: &str, body: Value) -> portal_tests::TestResponse {
        self.app
            .call("PUT", path, Some(&self.client.key), Some(body))
            .await
    }

    fn sms_to(&self, to: &str) -> Vec<String> {
        self.app
            .sms()
            .into_iter()
            .filter(|(t, _)| t == to)
            .map(|(_, text)| text)
            .collect()
    }
}

async fn task_events_text_the_recipient_once_with_the_clients_templates(app: TestApp) {
    let w = world(app).await;
    let saved = w
        .put_settings(
            "/v1/settings/notifications",
            json!({
                "language": "en",
                "templates": {
                    "pickup": {"completed": "{clientName}: {orderShortId} picked up by {courierName}"},
                    "dropoff": {
                        "started": "Hi {recipientName}, {driverName} is on the way: {trackingLink}",
                        "arriving": "{driverName} is outside with order {orderShortId}",
                        "completed": "Delivered by {courierName}. {trackingLink}"
                    }
                }
            }),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let order = w.order().await;
    let (short, link) = (
        order["shortId"].as_str().unwrap(),
        order["trackingUrl"].as_str().unwrap(),
    );
    w.event(
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
    )
    .await;
    w.event(
        &order,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
    )
    .await;
    w.event(&order, "pickup", json!({"type": "started"})).await;
    w.event(&order, "pickup", json!({"type": "completed"}))
        .await;
    w.event(&order, "dropoff", json!({"type": "started"})).await;
    w.event(&order, "dropoff", json!({"type": "arrived"})).await;
    w.event(&order, "dropoff", json!({"type": "completed"}))
        .await;
    assert_eq!(w.app.deliver_stream().await, 0, "no record failed");

    let expected = vec![
        format!("Bloom Florist: {short} picked up by Swift Couriers"),
        format!("Hi Marie Curie, Sam is on the way: {link}"),
        format!("Sam is outside with order {short}"),
        format!("Delivered by Swift Couriers. {link}"),
    ];
    assert_eq!(w.sms_to(RECIPIENT), expected);
    for text in &expected {
        assert!(portal::domain::sms::segments(text) == 1, "{text}");
    }

    // The same records again (a retried batch): nothing is sent twice.
    w.app.redeliver_stream_from_start().await;
    assert_eq!(w.sms_to(RECIPIENT), expected);
    if w.app.backend == Backend::Moto {
        // What moto's SNS recorded, not only what our recorder saw.
        let sent = w.app.moto_sms().await;
        for text in &expected {
            assert_eq!(
                sent.iter()
                    .filter(|(to, t)| to == RECIPIENT && t == text)
                    .count(),
                1,
                "{text} in {sent:?}"
            );
        }
    }
}

async fn rejected_and_failed_orders_email_the_client_once(app: TestApp) {
    let w = world(app).await;
    let order = w.order().await;
    let id = order["id"].as_str().unwrap();
    let short = order["shortId"].as_str().unwrap();
    let rejected = w
        .app
        .post(
            &format!("/v1/orders/{id}/reject"),
            &w.courier.key,
            json!({"reason": "No deliveries to Paris on Sundays"}),
        )
        .await;
    assert_eq!(rejected.status, 200);
    w.app.deliver_stream().await;
    let email = w.app.last_email_to("orders@bloom.example");
    assert_eq!(
        email.subject,
        format!("Order {short} was rejected by Swift Couriers")
    );
    assert!(email.text.contains("No deliveries to Paris on Sundays"));

    let resubmitted = w
        .app
        .post(
            &format!("/v1/orders/{id}/resubmit"),
            &w.client.key,
            json!({}),
        )
        .await;
    assert_eq!(resubmitted.status, 200, "{}", resubmitted.text);
    w.event(
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(&order, "pickup", json!({"type": "started"})).await;
    w.event(
        &order,
        "pickup",
        json!({"type": "failed", "failureReason": "Shop closed"}),
    )
    .await;
    w.app.deliver_stream().await;
    w.app.redeliver_stream_from_start().await;
    let to_client: Vec<_> = w
        .app
        .emails()
        .into_iter()
        .filter(|e| e.to.as_str() == "orders@bloom.example" && e.subject.starts_with("Order"))
        .collect();
    assert_eq!(to_client.len(), 2, "{to_client:?}");
    assert_eq!(to_client[1].subject, format!("Order {short} failed"));
    assert!(to_client[1].text.contains("Shop closed"));
    if w.app.backend == Backend::Moto {
        let sent = w.app.moto_emails().await;
        assert_eq!(
            sent.iter()
                .filter(|s| s.contains(&format!("Order {short} failed")))
                .count(),
            1,
            "{sent:?}"
        );
    }
}

async fn etas_and_delays_use_the_clients_zone_and_missing_templates_send_nothing(app: TestApp) {
    // The day before the ETAs, whatever the date: an ETA on another day shows its day.
    app.clock.travel_to("2026-11-30T12:00:00Z".parse().unwrap());
    let w = world(app).await;
    let saved = w
        .put_settings(
            "/v1/settings/notifications",
            json!({
                "language": "en",
                "timezone": "America/New_York",
                "templates": {"dropoff": {"eta": "ETA {eta}", "delayed": "Late: {eta}"}}
            }),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["timezone"], "America/New_York");
    // Read back, the client's own zone (not its courier's), so a document sent back
    // unchanged keeps it.
    let read = w.app.get("/v1/settings/notifications", &w.client.key).await;
    assert_eq!(
        (&read.body["timezone"], &read.body["timezoneFrom"]),
        (&json!("America/New_York"), &json!("client")),
        "{}",
        read.text
    );
    let order = w.order().await;
    w.event(
        &order,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    // The window closes at 11:00Z: 10:30Z is on time, 10:40Z moves less than 15 minutes,
    // 11:20Z passes the window, 12:00Z slips 40 minutes more.
    for eta in [
        "2026-12-01T10:30:00Z",
        "2026-12-01T10:40:00Z",
        "2026-12-01T11:20:00Z",
        "2026-12-01T12:00:00Z",
    ] {
        w.event(&order, "dropoff", json!({"type": "eta", "eta": eta}))
            .await;
    }
    // No template for started or completed: nothing for those.
    w.event(
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(&order, "pickup", json!({"type": "started"})).await;
    w.event(&order, "pickup", json!({"type": "completed"}))
        .await;
    w.app.deliver_stream().await;
    assert_eq!(
        w.sms_to(RECIPIENT),
        vec![
            // The first ETA only: 10:40Z is neither late nor within the arriving time.
            "ETA Tue Dec 1, 5:30 AM",
            "Late: Tue Dec 1, 6:20 AM",
            "Late: Tue Dec 1, 7:00 AM"
        ]
    );
}

fn inbound(id: &str, body: &str) -> InboundSms {
    InboundSms {
        origination_number: RECIPIENT.into(),
        destination_number: Some("+18005550100".into()),
        message_keyword: None,
        message_body: body.into(),
        inbound_message_id: id.into(),
    }
}

async fn stop_silences_a_number_until_start_and_help_answers(app: TestApp) {
    let w = world(app).await;
    let ctx = w.app.ctx();
    let help = handle_inbound(ctx, &inbound("m1", "help")).await.unwrap();
    assert!(help.replied);
    // SNS delivers the same message again: one answer only.
    let again = handle_inbound(ctx, &inbound("m1", "help")).await.unwrap();
    assert!(!again.replied);
    assert_eq!(w.sms_to(RECIPIENT), vec![HELP_REPLY]);

    let stop = handle_inbound(ctx, &inbound("m2", "Stop")).await.unwrap();
    assert!(stop.replied);
    let order = w.order().await;
    w.event(
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(&order, "pickup", json!({"type": "started"})).await;
    w.event(&order, "pickup", json!({"type": "completed"}))
        .await;
    w.app.deliver_stream().await;
    assert_eq!(
        w.sms_to(RECIPIENT).len(),
        2,
        "only the HELP and STOP replies"
    );

    let start = handle_inbound(ctx, &inbound("m3", "START")).await.unwrap();
    assert!(start.replied);
    w.event(
        &order,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(&order, "dropoff", json!({"type": "started"})).await;
    w.app.deliver_stream().await;
    let texts = w.sms_to(RECIPIENT);
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert!(texts[3].contains("is on its way"), "{texts:?}");
}

/// A real-shaped stream record (from aws_lambda_events' fixture) for an order change.
pub(crate) fn record(seq: &str, old: &Value, new: &Value) -> EventRecord {
    let fixture = portal_tests::fixture("example-dynamodb-event.json");
    let mut record = fixture["Records"][0].clone();
    record["eventName"] = json!("MODIFY");
    record["dynamodb"]["SequenceNumber"] = json!(seq);
    record["dynamodb"]["Keys"] = json!({"PK": {"S": new["PK"]}, "SK": {"S": new["SK"]}});
    let image = |v: &Value| {
        serde_json::to_value(serde_dynamo::to_item::<_, serde_dynamo::Item>(v).unwrap()).unwrap()
    };
    record["dynamodb"]["OldImage"] = image(old);
    record["dynamodb"]["NewImage"] = image(new);
    serde_json::from_value(record).unwrap()
}

/// The stored order item before and after a dropoff start.
async fn started_change(w: &World) -> (Value, Value) {
    started_change_to(w, RECIPIENT).await
}

/// The same for an order to `recipient`.
async fn started_change_to(w: &World, recipient: &str) -> (Value, Value) {
    let order = w.order_to(recipient).await;
    w.event(
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(&order, "pickup", json!({"type": "started"})).await;
    w.event(&order, "pickup", json!({"type": "completed"}))
        .await;
    w.event(
        &order,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    let key = portal::store::Key::new(
        format!("COURIER#{}", w.courier.id),
        format!("ORDER#{}", order["id"].as_str().unwrap()),
    );
    let before = w.app.store.get(&key).await.unwrap().unwrap();
    w.event(&order, "dropoff", json!({"type": "started"})).await;
    let after = w.app.store.get(&key).await.unwrap().unwrap();
    (Value::Object(before), Value::Object(after))
}

async fn a_poisoned_record_is_reported_and_the_rest_go_through_once(app: TestApp) {
    let w = world(app).await;
    let (old1, new1) = started_change(&w).await;
    let (old3, new3) = started_change(&w).await;
    let mut poisoned = new3.clone();
    poisoned["status"] = json!("teleported");
    let first = record("100", &old1, &new1);
    let bad = record("200", &old3, &poisoned);
    let third = record("300", &old3, &new3);
    let response = portal::fanout::handle_stream(
        w.app.ctx(),
        portal_local::streams::stream_event(vec![first.clone(), bad, third.clone()]),
    )
    .await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone().unwrap())
        .collect();
    assert_eq!(failed, vec!["200"]);
    assert_eq!(
        w.sms_to(RECIPIENT).len(),
        1,
        "the record before it went through"
    );
    // Bisected and retried without the poisoned record: the first is not sent again.
    let response = portal::fanout::handle_stream(
        w.app.ctx(),
        portal_local::streams::stream_event(vec![first, third]),
    )
    .await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(w.sms_to(RECIPIENT).len(), 2);
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json, json!({"batchItemFailures": []}));
}

async fn a_failed_send_is_retried_and_sent_once(app: TestApp) {
    let w = world(app).await;
    let (old, new) = started_change(&w).await;
    let change = record("100", &old, &new);
    w.app.recorder.fail_sends(true);
    let response = portal::fanout::handle_stream(
        w.app.ctx(),
        portal_local::streams::stream_event(vec![change.clone()]),
    )
    .await;
    assert_eq!(response.batch_item_failures.len(), 1);
    w.app.recorder.fail_sends(false);
    for _ in 0..2 {
        let response = portal::fanout::handle_stream(
            w.app.ctx(),
            portal_local::streams::stream_event(vec![change.clone()]),
        )
        .await;
        assert!(response.batch_item_failures.is_empty());
    }
    assert_eq!(w.sms_to(RECIPIENT).len(), 1);
}

async fn notification_settings_are_validated_and_have_defaults(app: TestApp) {
    let w = world(app).await;
    let defaults = w.app.get("/v1/settings/notifications", &w.client.key).await;
    assert_eq!(defaults.status, 200, "{}", defaults.text);
    assert_eq!(defaults.body["language"], "en");
    assert_eq!(
        defaults.body["timezone"], "Europe/Paris",
        "the courier's zone"
    );
    assert!(defaults.body["templates"]["dropoff"]["started"]
        .as_str()
        .unwrap()
        .contains("{trackingLink}"));
    assert_eq!(
        defaults.body["previews"]["dropoff"]["started"]["segments"],
        1
    );

    for (body, field) in [
        (
            json!({"templates": {"dropoff": {"started": "Hi {firstName}"}}}),
            "templates.dropoff.started",
        ),
        (
            json!({"templates": {"dropoff": {"started": "Hi {recipientName"}}}),
            "templates.dropoff.started",
        ),
        (
            json!({"templates": {"dropoff": {"started": ""}}}),
            "templates.dropoff.started",
        ),
        (
            json!({"templates": {"dropoff": {"teleported": "x"}}}),
            "templates.dropoff.teleported",
        ),
        (
            json!({"templates": {"return": {"started": "x"}}}),
            "templates.return",
        ),
        (json!({"language": "de"}), "language"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let response = w
            .put_settings("/v1/settings/notifications", body.clone())
            .await;
        assert_eq!(
            (response.status, response.error_field()),
            (422, field),
            "{body} → {}",
            response.text
        );
    }
    let spanish = w
        .put_settings("/v1/settings/notifications", json!({"language": "es"}))
        .await;
    assert_eq!(spanish.status, 200, "{}", spanish.text);
    assert!(spanish.body["templates"]["dropoff"]["started"]
        .as_str()
        .unwrap()
        .starts_with("Hola"));
    let french = w
        .put_settings("/v1/settings/notifications", json!({"language": "fr"}))
        .await;
    assert!(french.body["templates"]["dropoff"]["completed"]
        .as_str()
        .unwrap()
        .contains("livrée"));
    let read = w.app.get("/v1/settings/notifications", &w.client.key).await;
    assert_eq!(read.body["language"], "fr");

    let courier = w
        .app
        .get("/v1/settings/notifications", &w.courier.key)
        .await;
    assert_eq!(courier.status, 403);
    let anonymous = w
        .app
        .call("GET", "/v1/settings/notifications", None, None)
        .await;
    assert_eq!(anonymous.status, 401);
}

/// Every SMS segment is billed to the courier: a template that could render to more than
/// three (43 tracking links fit in 612 characters, and render to 15) is refused when it is
/// saved, and one saved before that check is not sent at all.
async fn a_template_is_held_to_three_sms_segments_at_worst(app: TestApp) {
    let w = world(app).await;
    let links = "{trackingLink}".repeat(43);
    let refused = w
        .put_settings(
            "/v1/settings/notifications",
            json!({"templates": {"dropoff": {"started": links}}}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.error_field()),
        (422, "templates.dropoff.started"),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("SMS segments"), "{}", refused.text);
    // Two links and a short text fit, whatever the names.
    let fits = w
        .put_settings(
            "/v1/settings/notifications",
            json!({"templates": {"dropoff": {"started": "{recipientName}: {trackingLink} {trackingLink}"}}}),
        )
        .await;
    assert_eq!(fits.status, 200, "{}", fits.text);

    // Saved before the check: the sender refuses it rather than bill 15 segments.
    let settings = json!({"language": "en", "templates": {"dropoff": {"started": links, "arriving": "{driverName} is outside"}}});
    w.app
        .store
        .update(
            &portal::store::keys::client(&w.courier.id, &w.client.id),
            &portal::store::Update::new().set("notifications", settings),
            None,
        )
        .await
        .unwrap();
    let order = w.order().await;
    for kind in ["pickup", "dropoff"] {
        w.event(
            &order,
            kind,
            json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
        )
        .await;
    }
    for (kind, event) in [
        ("pickup", "started"),
        ("pickup", "completed"),
        ("dropoff", "started"),
        ("dropoff", "arrived"),
    ] {
        w.event(&order, kind, json!({ "type": event })).await;
    }
    assert_eq!(w.app.deliver_stream().await, 0, "no record failed");
    assert_eq!(w.sms_to(RECIPIENT), vec!["Sam is outside".to_string()]);
}

async fn tracking_page_settings_are_validated(app: TestApp) {
    let w = world(app).await;
    let defaults = w.app.get("/v1/settings/tracking-page", &w.client.key).await;
    assert_eq!(defaults.status, 200);
    assert_eq!(defaults.body["showEta"], true);
    for (body, field) in [
        (json!({"primaryColor": "red"}), "primaryColor"),
        (json!({"logoUrl": "http://cdn.example/logo.png"}), "logoUrl"),
        (json!({"logoUrl": "javascript:alert(1)"}), "logoUrl"),
        (json!({"showDriverName": "yes"}), "showDriverName"),
        (json!({"fontSize": 12}), "fontSize"),
    ] {
        let response = w
            .put_settings("/v1/settings/tracking-page", body.clone())
            .await;
        assert_eq!(
            (response.status, response.error_field()),
            (422, field),
            "{body} → {}",
            response.text
        );
    }
    let saved = w
        .put_settings(
            "/v1/settings/tracking-page",
            json!({"primaryColor": "#FF5500", "logoUrl": "https://cdn.bloom.example/logo.png", "showDriverName": false}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["primaryColor"], "#ff5500");
    let read = w.app.get("/v1/settings/tracking-page", &w.client.key).await;
    assert_eq!(read.body, saved.body);
    assert_eq!(read.body["showDriverName"], false);
    assert_eq!(read.body["showEta"], true, "left out: the default");
    let client = w
        .app
        .get(&format!("/v1/clients/{}", w.client.id), &w.courier.key)
        .await;
    assert_eq!(client.body["trackingPage"]["primaryColor"], "#ff5500");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_for_settings_and_the_fanout_are_pinned() {
    if portal_tests::skip_without_moto() {
        return;
    }
    let w = world(TestApp::new(Backend::Moto).await).await;
    let read = w
        .app
        .invoke("get-notification-settings", &w.client.key, &[], None)
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(
        w.app.calls.take(),
        1,
        "client + courier in one BatchGetItem"
    );
    let saved = w
        .app
        .invoke(
            "put-notification-settings",
            &w.client.key,
            &[],
            Some(json!({"timezone": "Europe/Paris"})),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(
        w.app.calls.take(),
        1,
        "one UpdateItem when the zone is the client's"
    );
    w.app
        .invoke("get-tracking-page-settings", &w.client.key, &[], None)
        .await;
    assert_eq!(w.app.calls.take(), 1);
    w.app
        .invoke(
            "put-tracking-page-settings",
            &w.client.key,
            &[],
            Some(json!({"showEta": false})),
        )
        .await;
    assert_eq!(w.app.calls.take(), 1);

    // A dropoff start (one default template): one BatchGetItem, then the opt-out read and
    // the marker's conditional put.
    let (old, new) = started_change(&w).await;
    w.app.calls.take();
    let response = portal::fanout::handle_stream(
        w.app.ctx(),
        portal_local::streams::stream_event(vec![record("1", &old, &new)]),
    )
    .await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(w.sms_to(RECIPIENT).len(), 1);
    assert_eq!(w.app.calls.take(), 3, "BatchGetItem + GetItem + PutItem");
}

/// The sequence numbers a batch reported failed.
fn reported(response: &aws_lambda_events::streams::DynamoDbEventResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone().unwrap())
        .collect()
}

async fn handle(w: &World, records: &[EventRecord]) -> Vec<String> {
    let response = portal::fanout::handle_stream(
        w.app.ctx(),
        portal_local::streams::stream_event(records.to_vec()),
    )
    .await;
    reported(&response)
}

const REFUSED: &str = "+33611111111";
const THROTTLED: &str = "+33622222222";

async fn a_permanent_failure_is_skipped_recorded_and_the_batch_goes_on(app: TestApp) {
    let w = world(app).await;
    let (old1, new1) = started_change_to(&w, REFUSED).await;
    let (old2, new2) = started_change(&w).await;
    let batch = [record("100", &old1, &new1), record("200", &old2, &new2)];
    w.app
        .recorder
        .fail_to(REFUSED, portal::notify::Failing::Permanently);
    assert_eq!(
        handle(&w, &batch).await,
        Vec::<String>::new(),
        "a refused number is no failure of its record"
    );
    assert_eq!(w.sms_to(RECIPIENT).len(), 1, "the record after it was sent");
    assert!(w.sms_to(REFUSED).is_empty());
    // Redelivered, even once the number would work: its marker says it failed for good.
    w.app.recorder.stop_failing_to(REFUSED);
    assert_eq!(handle(&w, &batch).await, Vec::<String>::new());
    assert!(w.sms_to(REFUSED).is_empty(), "not tried again");
    assert_eq!(w.sms_to(RECIPIENT).len(), 1);
    let id = new1["id"].as_str().unwrap();
    let marker = notification_markers(&w, id).await;
    assert_eq!(marker.len(), 1, "{marker:?}");
    assert_eq!(marker[0]["failure"], "InvalidParameter", "{marker:?}");
    assert!(marker[0].get("failedAt").is_some(), "{marker:?}");
    assert!(marker[0].get("sentAt").is_none(), "{marker:?}");
}

/// The notification markers of an order (its messages' send-once records).
async fn notification_markers(w: &World, order_id: &str) -> Vec<Value> {
    let order = w
        .app
        .store
        .get(&portal::store::Key::new(
            format!("COURIER#{}", w.courier.id),
            format!("ORDER#{order_id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    let order: portal::domain::order::Order = portal::store::records::from_item(order).unwrap();
    let mut markers = vec![];
    for notice in portal::fanout::current_notices(&order) {
        let id = portal::fanout::notification_id(&order, &notice);
        if let Some(marker) = w
            .app
            .store
            .get(&portal::store::keys::notification(&id))
            .await
            .unwrap()
        {
            markers.push(Value::Object(marker));
        }
    }
    markers
}

async fn a_transient_failure_reports_exactly_its_record_and_a_retry_sends_once(app: TestApp) {
    let w = world(app).await;
    let (old1, new1) = started_change(&w).await;
    let (old2, new2) = started_change_to(&w, THROTTLED).await;
    let (old3, new3) = started_change_to(&w, REFUSED).await;
    let batch = [
        record("100", &old1, &new1),
        record("200", &old2, &new2),
        record("300", &old3, &new3),
    ];
    w.app
        .recorder
        .fail_to(THROTTLED, portal::notify::Failing::Transiently);
    assert_eq!(handle(&w, &batch).await, vec!["200"]);
    assert_eq!(
        w.sms_to(RECIPIENT).len(),
        1,
        "the record before it went through"
    );
    assert!(w.sms_to(THROTTLED).is_empty());
    assert!(
        notification_markers(&w, new2["id"].as_str().unwrap())
            .await
            .is_empty(),
        "the failed send freed its notification id"
    );
    // Throttled again: the same record again.
    assert_eq!(handle(&w, &batch[1..]).await, vec!["200"]);
    w.app.recorder.stop_failing_to(THROTTLED);
    // Lambda retries from the reported record; then the whole batch comes again.
    assert_eq!(handle(&w, &batch[1..]).await, Vec::<String>::new());
    assert_eq!(handle(&w, &batch).await, Vec::<String>::new());
    for to in [RECIPIENT, THROTTLED, REFUSED] {
        assert_eq!(w.sms_to(to).len(), 1, "{to}: sent once");
    }
}

async fn a_refused_email_is_not_retried(app: TestApp) {
    let w = world(app).await;
    let order = w.order().await;
    let id = order["id"].as_str().unwrap();
    w.app
        .recorder
        .fail_to("orders@bloom.example", portal::notify::Failing::Permanently);
    let rejected = w
        .app
        .post(
            &format!("/v1/orders/{id}/reject"),
            &w.courier.key,
            json!({"reason": "No deliveries to Paris on Sundays"}),
        )
        .await;
    assert_eq!(rejected.status, 200);
    assert_eq!(w.app.deliver_stream().await, 0, "no record failed");
    w.app.recorder.stop_failing_to("orders@bloom.example");
    w.app.redeliver_stream_from_start().await;
    assert!(
        !w.app
            .emails()
            .iter()
            .any(|e| e.subject.contains("was rejected")),
        "the refused email is not sent again"
    );
}

async fn a_replay_sends_a_lost_sms_once_and_a_second_replay_nothing(app: TestApp) {
    let w = world(app).await;
    let from = w.app.ctx().now() - chrono::Duration::seconds(1);
    // An order whose messages went out.
    started_change(&w).await;
    assert_eq!(w.app.deliver_stream().await, 0);
    let messages = w.sms_to(RECIPIENT).len();
    assert!(messages >= 1, "the dropoff start's SMS at least");
    // An order whose SMS were lost: SNS throttled them, the records were given up on (or
    // are waiting in the stream: either way their markers are absent).
    started_change_to(&w, THROTTLED).await;
    w.app
        .recorder
        .fail_to(THROTTLED, portal::notify::Failing::Transiently);
    assert!(w.app.deliver_stream().await >= 1, "the records failed");
    w.app.recorder.stop_failing_to(THROTTLED);
    assert!(w.sms_to(THROTTLED).is_empty());
    let to = w.app.ctx().now() + chrono::Duration::seconds(1);
    // An order changed after the window, its SMS not delivered either: not the replay's.
    w.app.clock.advance(chrono::Duration::hours(2));
    started_change_to(&w, REFUSED).await;

    let replay =
        portal::fanout::replay::replay_notifications(w.app.ctx(), &*w.app.scanner, from, to)
            .await
            .unwrap();
    let report = serde_json::to_value(&replay).unwrap();
    assert_eq!(report["ordersLookedAt"], 2, "{report}");
    assert_eq!(report["messagesSent"], messages, "{report}");
    assert_eq!(report["alreadySent"], messages, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(w.sms_to(THROTTLED).len(), messages, "the lost SMS, once");
    assert!(
        w.sms_to(THROTTLED).iter().any(|t| t.contains("on its way")),
        "{:?}",
        w.sms_to(THROTTLED)
    );
    assert_eq!(w.sms_to(RECIPIENT).len(), messages, "not again");
    assert!(w.sms_to(REFUSED).is_empty(), "outside the window");

    let again =
        portal::fanout::replay::replay_notifications(w.app.ctx(), &*w.app.scanner, from, to)
            .await
            .unwrap();
    let again = serde_json::to_value(&again).unwrap();
    assert_eq!(again["ordersLookedAt"], 2, "{again}");
    assert_eq!(again["messagesSent"], 0, "{again}");
    assert_eq!(again["alreadySent"], 2 * messages, "{again}");
    assert_eq!(w.sms_to(THROTTLED).len(), messages);
    assert_eq!(w.sms_to(RECIPIENT).len(), messages);
}

/// A dispatch system posting an ETA every minute for half an hour: the first ETA texts,
/// one delay texts, and the ETA coming within the client's arriving time (5 minutes here)
/// texts once; the other 27 update the page only.
async fn thirty_etas_text_the_recipient_at_most_three_times(app: TestApp) {
    let start: chrono::DateTime<chrono::Utc> = "2026-12-01T09:00:00Z".parse().unwrap();
    app.clock.travel_to(start);
    let w = world(app).await;
    let saved = w
        .put_settings(
            "/v1/settings/notifications",
            json!({
                "templates": {"dropoff": {
                    "eta": "ETA {eta}",
                    "delayed": "Late: {eta}",
                    "arriving": "{driverName} is almost there"
                }},
                "timezone": "Europe/Paris",
                "arrivingMinutes": 5
            }),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["arrivingMinutes"], 5);
    let order = w.order().await;
    w.event(
        &order,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam Driver", "phone": "+33600000001"}}),
    )
    .await;
    w.event(
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
    )
    .await;
    w.event(&order, "pickup", json!({"type": "started"})).await;
    w.event(&order, "pickup", json!({"type": "completed"}))
        .await;
    w.event(&order, "dropoff", json!({"type": "started"})).await;
    // Minute m < 10: the ETA closes in from 40 minutes after the start. Minute 10: it slips
    // to 55 minutes after the start (24 minutes later: a delay). Then it closes in two
    // minutes a minute, never nearer than 2 minutes away: 3 minutes away at minute 24.
    let minutes = chrono::Duration::minutes;
    for m in 0..30i64 {
        let now = start + minutes(m);
        w.app.clock.travel_to(now);
        let eta = match m {
            0..10 => start + minutes(40 - m),
            _ => start + minutes(55 - 2 * (m - 10)).max(minutes(m + 2)),
        };
        w.event(
            &order,
            "dropoff",
            json!({"type": "eta", "eta": eta.to_rfc3339()}),
        )
        .await;
    }
    assert_eq!(w.app.deliver_stream().await, 0);
    let sent = w.sms_to(RECIPIENT);
    assert!(sent.len() <= 3, "{sent:?}");
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent[0].starts_with("ETA "), "{sent:?}");
    assert!(sent[1].starts_with("Late: "), "{sent:?}");
    assert_eq!(sent[2], "Sam is almost there");
    // The driver at the door afterwards: the arriving message went out already.
    w.event(&order, "dropoff", json!({"type": "arrived"})).await;
    w.app.deliver_stream().await;
    w.app.redeliver_stream_from_start().await;
    assert_eq!(w.sms_to(RECIPIENT), sent, "nothing more, nothing twice");
}

/// The arriving time: 1 to 120 minutes (422 on `arrivingMinutes` otherwise), 10 by default;
/// with no ETA near it, the driver at the door sends the arriving message.
async fn the_arriving_time_is_validated_and_an_arrival_after_it_sends_nothing_more(app: TestApp) {
    app.clock.travel_to("2026-12-01T09:00:00Z".parse().unwrap());
    let w = world(app).await;
    let defaults = w.app.get("/v1/settings/notifications", &w.client.key).await;
    assert_eq!(defaults.body["arrivingMinutes"], 10, "{}", defaults.text);
    for bad in [json!(0), json!(121), json!("ten"), json!(-3)] {
        let refused = w
            .put_settings(
                "/v1/settings/notifications",
                json!({"arrivingMinutes": bad}),
            )
            .await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.text);
        assert_eq!(
            refused.body["error"]["field"], "arrivingMinutes",
            "{}",
            refused.text
        );
    }
    let saved = w
        .put_settings(
            "/v1/settings/notifications",
            json!({"templates": {"dropoff": {"arriving": "Almost there", "eta": "ETA {eta}"}}}),
        )
        .await;
    assert_eq!(saved.body["arrivingMinutes"], 10);
    let order = w.order().await;
    w.event(
        &order,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    w.event(&order, "pickup", json!({"type": "started"})).await;
    w.event(&order, "pickup", json!({"type": "completed"}))
        .await;
    w.event(&order, "dropoff", json!({"type": "started"})).await;
    // 40 then 11 minutes away: the first ETA only (11 is outside 10).
    for eta in ["2026-12-01T09:40:00Z", "2026-12-01T09:11:00Z"] {
        w.event(&order, "dropoff", json!({"type": "eta", "eta": eta}))
            .await;
    }
    w.event(&order, "dropoff", json!({"type": "arrived"})).await;
    // Another ETA after arriving: nothing.
    w.event(
        &order,
        "dropoff",
        json!({"type": "eta", "eta": "2026-12-01T09:01:00Z"}),
    )
    .await;
    w.app.deliver_stream().await;
    let sent = w.sms_to(RECIPIENT);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].starts_with("ETA "));
    assert_eq!(sent[1], "Almost there");
}
