//! What the operator reads: every line of a request carries its ids, route and (last) its
//! outcome; refusals (429, 503) are warnings; metrics in CloudWatch's embedded format count
//! what happened; no line holds a secret (every scenario of `on_both_backends!` is checked,
//! this module runs the main flows and checks that the check has something to find); SMS
//! carry the deployment's origination identity.

use portal::domain::sms_identity::SmsIdentity;
use portal::fanout::inbound::{handle_inbound, InboundSms};
use portal_tests::{on_both_backends, LogWatch, Org, TestApp};
use serde_json::{json, Value};

use crate::web_sessions::{page, signed_up, PASSWORD};

on_both_backends!(
    a_request_line_carries_its_ids_route_and_outcome,
    an_api_order_counts_once_and_an_opted_out_sms_is_skipped,
    refusals_are_warnings_with_their_ids,
    an_import_counts_its_rows_and_warns_of_the_failed_ones,
    the_main_flows_hand_out_secrets_that_no_line_holds,
);

const RECIPIENT: &str = "+33698765432";

async fn world(app: &TestApp) -> (Org, Org) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    (courier, client)
}

async fn create_order(app: &TestApp, client: &Org) -> Value {
    let body = json!({
        "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}, "contact": {"name": "Ana", "phone": "+33612345678"}},
        "dropoff": {
            "address": {"line1": "9 Rue de la Paix", "city": "Paris"},
            "recipient": {"name": "Marie Curie", "phone": RECIPIENT},
            "window": {"completeBefore": "2026-12-01T12:00:00+01:00"}
        },
        "weight": 1.0, "pieces": 1
    });
    let response = app.post("/v1/orders", &client.key, body).await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

/// The fields of a line's spans, merged (outer first), with the line's own fields.
fn fields(line: &Value) -> serde_json::Map<String, Value> {
    let mut merged = serde_json::Map::new();
    for span in line["spans"].as_array().into_iter().flatten() {
        for (k, v) in span.as_object().unwrap() {
            merged.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in line.as_object().unwrap() {
        if k != "spans" {
            merged.insert(k.clone(), v.clone());
        }
    }
    merged
}

/// The last line of each request on `route`, as merged fields.
fn outcomes(logs: &LogWatch, route: &str) -> Vec<serde_json::Map<String, Value>> {
    logs.lines()
        .iter()
        .map(fields)
        .filter(|f| f.get("route").and_then(Value::as_str) == Some(route))
        .filter(|f| f.contains_key("status"))
        .collect()
}

async fn a_request_line_carries_its_ids_route_and_outcome(app: TestApp) {
    let (courier, client) = world(&app).await;
    let order = create_order(&app, &client).await;
    let created = outcomes(&app.logs, "POST /v1/orders");
    assert_eq!(created.len(), 1, "{created:?}");
    let line = &created[0];
    assert_eq!(line["status"], 201);
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["courier_id"], courier.id.as_str());
    assert_eq!(line["client_id"], client.id.as_str());
    assert!(line["request_id"].as_str().is_some_and(|id| !id.is_empty()));

    // An error answer names its code.
    let id = order["id"].as_str().unwrap();
    let other = app
        .onboard_client(&courier, "Other Shop", "orders@other.example")
        .await;
    let hidden = app.get(&format!("/v1/orders/{id}"), &other.key).await;
    assert_eq!(hidden.status, 404);
    let read = outcomes(&app.logs, "GET /v1/orders/{orderId}");
    let line = read.last().expect("the read's line");
    assert_eq!(
        (&line["status"], &line["error_code"], &line["client_id"]),
        (&json!(404), &json!("not_found"), &json!(other.id)),
    );

    // A page's session is known after authorization: its ids are on the request's lines.
    let (_, web_client, cookie) = signed_up(&app, "Petal", "pia@petal.example").await;
    let orders = page(&app, "GET", "/orders", Some(&cookie), "").await;
    assert_eq!(orders.status, 200);
    let line = outcomes(&app.logs, "GET /orders")
        .pop()
        .expect("the page's line");
    assert_eq!(line["client_id"], web_client.as_str());
}

async fn an_api_order_counts_once_and_an_opted_out_sms_is_skipped(app: TestApp) {
    let (courier, client) = world(&app).await;
    let order = create_order(&app, &client).await;
    assert_eq!(app.logs.metric_sum("OrdersCreated", "Source", "api"), 1);
    assert_eq!(app.logs.metric_sum("DraftsCreated", "Source", "api"), 0);
    for document in app.logs.metrics() {
        assert_eq!(
            document["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "CourierPortal"
        );
    }

    // The recipient said STOP: the next SMS is skipped, and counted so.
    let stop = InboundSms {
        origination_number: RECIPIENT.into(),
        destination_number: Some("+18005550100".into()),
        message_keyword: None,
        message_body: "STOP".into(),
        inbound_message_id: "m1".into(),
    };
    assert!(handle_inbound(app.ctx(), &stop).await.unwrap().replied);
    assert_eq!(
        app.logs.metric_sum("SmsMessages", "Outcome", "sent"),
        1,
        "the STOP reply"
    );
    let saved = app
        .call(
            "PUT",
            "/v1/settings/notifications",
            Some(&client.key),
            Some(json!({"templates": {"pickup": {"started": "{orderShortId} is on its way"}}})),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let task = order["pickup"]["id"].as_str().unwrap();
    for event in [
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
        json!({"type": "started"}),
    ] {
        let r = app
            .post(&format!("/v1/tasks/{task}/events"), &courier.key, event)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(app.deliver_stream().await, 0);
    assert_eq!(app.logs.metric_sum("SmsMessages", "Outcome", "skipped"), 1);
    assert_eq!(app.logs.metric_sum("SmsSegments", "Outcome", "skipped"), 1);
    assert_eq!(app.logs.metric_sum("SmsMessages", "Outcome", "sent"), 1);
    // The invitation's email.
    assert_eq!(app.logs.metric_sum("Emails", "Outcome", "sent"), 1);
}

async fn refusals_are_warnings_with_their_ids(app: TestApp) {
    let (courier, client) = world(&app).await;
    // 503: the mail service refuses the invitation's email.
    let pending = app
        .create_client(&courier, "Late Shop", "orders@late.example")
        .await;
    app.recorder.fail_sends(true);
    let refused = app
        .call(
            "POST",
            &format!("/v1/clients/{pending}/invitation"),
            Some(&courier.key),
            None,
        )
        .await;
    app.recorder.fail_sends(false);
    assert_eq!(refused.status, 503, "{}", refused.text);
    let line = outcomes(&app.logs, "POST /v1/clients/{clientId}/invitation")
        .pop()
        .expect("the invitation's line");
    assert_eq!(
        (&line["level"], &line["status"], &line["courier_id"]),
        (&json!("WARN"), &json!(503), &json!(courier.id)),
    );

    // 429: a limit reached (confirmation mails for a new organisation address).
    let mut limited = None;
    for i in 0..20 {
        let r = app
            .call(
                "PATCH",
                "/v1/settings/organization",
                Some(&client.key),
                Some(json!({"email": format!("new{i}@bloom.example")})),
            )
            .await;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
    }
    assert!(limited.is_some(), "the limit is reached");
    let line = outcomes(&app.logs, "PATCH /v1/settings/organization")
        .pop()
        .unwrap();
    assert_eq!(
        (&line["level"], &line["status"], &line["error_code"]),
        (&json!("WARN"), &json!(429), &json!("rate_limited")),
    );
    assert_eq!(line["client_id"], client.id.as_str());

    // A bulk submission's refused items: one warning each, with the order's id.
    let body = json!({"orderIds": ["ord_01J00000000000000000000000"]});
    let submitted = app.post("/v1/orders/submit", &client.key, body).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert!(
        app.logs
            .lines()
            .iter()
            .any(|l| l["level"] == "WARN" && l["order_id"] == "ord_01J00000000000000000000000"),
        "a warning names the order not submitted"
    );
}

async fn an_import_counts_its_rows_and_warns_of_the_failed_ones(app: TestApp) {
    let courier = app.create_courier("Bay Couriers").await;
    let created = app
        .post(
            "/v1/clients",
            &courier.key,
            json!({
                "name": "Bloom Florist", "email": "orders@bloom.example", "allowOrderUpload": true,
                "defaultPickup": {
                    "address": {"line1": "10 Depot Rd", "city": "San Francisco", "country": "US"},
                    "contact": {"name": "Dock", "phone": "+14155550100"}
                }
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap();
    let token = app.invite(&courier, id).await;
    let accepted = app
        .call(
            "POST",
            &format!("/v1/invitations/{token}/accept"),
            None,
            None,
        )
        .await;
    let key = accepted.body["apiKey"]["key"].as_str().unwrap().to_string();
    let sheet = "Address Line 1,City,Country,Recipient Name,Recipient Phone Number,Id\n\
                 1 Market St,San Francisco,US,Ada Lovelace,+14155550147,A-1\n\
                 2 Pine St,San Francisco,US,Cy Young,555-01,A-2\n";
    let auth = format!("Bearer {key}");
    let committed = app
        .raw(
            "POST",
            "/v1/imports?date=2026-12-02",
            &[("authorization", &auth), ("content-type", "text/csv")],
            bytes::Bytes::from(sheet),
        )
        .await;
    assert_eq!(committed.status, 201, "{}", committed.text);
    assert_eq!(committed.body["counts"]["drafts"], 1, "{}", committed.text);
    assert_eq!(app.logs.metric_sum("ImportRows", "Outcome", "written"), 1);
    assert_eq!(app.logs.metric_sum("ImportRows", "Outcome", "failed"), 1);
    assert_eq!(app.logs.metric_sum("DraftsCreated", "Source", "import"), 1);
    let warned: Vec<_> = app
        .logs
        .lines()
        .into_iter()
        .filter(|l| l["level"] == "WARN" && l["message"] == "import row not written")
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert_eq!(
        (&warned[0]["row"], &warned[0]["row_id"]),
        (&json!(3), &json!("A-2"))
    );
    // The cell's value (a person's number, however malformed) is not in the line.
    assert!(!warned[0].to_string().contains("555-01"), "{}", warned[0]);
}

async fn the_main_flows_hand_out_secrets_that_no_line_holds(app: TestApp) {
    let (courier, client) = world(&app).await;
    let order = create_order(&app, &client).await;
    let tracking = order["trackingUrl"].as_str().unwrap();
    let token = tracking.rsplit('/').next().unwrap();
    let page = app
        .raw("GET", &format!("/track/{token}"), &[], Default::default())
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let (_, _, cookie) = signed_up(&app, "Petal", "pia@petal.example").await;
    let orders = crate::web_sessions::page(&app, "GET", "/orders", Some(&cookie), "").await;
    assert_eq!(orders.status, 200);
    let integration = app
        .post(
            "/v1/integrations",
            &client.key,
            json!({"platform": "shopify", "name": "Bloom shop", "secret": "shpss_a_secret_of_the_shop_0123"}),
        )
        .await;
    assert!(integration.status < 300, "{}", integration.text);
    // An unsigned delivery: refused, counted by its outcome, its line names the client.
    let integration_id = integration.body["id"].as_str().unwrap();
    let unsigned = app
        .raw(
            "POST",
            &format!("/v1/integrations/{integration_id}/webhook"),
            &[("content-type", "application/json")],
            bytes::Bytes::from_static(b"{\"id\": 1}"),
        )
        .await;
    assert_eq!(unsigned.status, 401, "{}", unsigned.text);
    assert_eq!(
        app.logs
            .metric_sum("WebhookDeliveries", "Outcome", "rejected_signature"),
        1
    );
    let line = outcomes(&app.logs, "POST /v1/integrations/{integrationId}/webhook")
        .pop()
        .expect("the webhook's line");
    assert_eq!(
        (&line["status"], &line["client_id"]),
        (&json!(401), &json!(client.id))
    );
    // What the check looks for: the keys, the password, the session, the tracking token,
    // the webhook secret, the recipient's number, the people's addresses.
    let session = cookie.split_once('=').unwrap().1;
    for secret in [
        courier.key.as_str(),
        client.key.as_str(),
        PASSWORD,
        session,
        token,
        "shpss_a_secret_of_the_shop_0123",
        RECIPIENT,
        "orders@bloom.example",
    ] {
        assert!(app.logs.noted(secret), "{secret} is not checked");
    }
    assert!(
        app.logs.lines().len() > 10,
        "the flows were logged: {}",
        app.logs.lines().len()
    );
    // `run_watched` then checks every line against every one of them.
}

#[test]
fn the_log_check_catches_a_leak() {
    let logs = LogWatch::default();
    let recorder = TestApp::null_recorder();
    logs.secret("client_sk_leaked0123456789");
    logs.secret("+33698765432");
    tracing::dispatcher::with_default(&logs.dispatch(), || {
        tracing::info!(number = "33698765432", "a number without its plus");
    });
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        logs.assert_no_secrets(&recorder)
    }));
    assert!(caught.is_err(), "a number in a log line is caught");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_carry_the_origination_number_and_sender_id_on_moto() {
    if portal_tests::skip_without_moto() {
        return;
    }
    let aws = portal_tests::moto_aws_config().await;
    let identity = SmsIdentity::parse(Some("+18885550123"), Some("Swift")).unwrap();
    let sms = portal::notify::SnsSms::with_identity(aws_sdk_sns::Client::new(&aws), identity);
    let to = portal::domain::Phone::parse("+33611122233").unwrap();
    let text = format!("identity check {}", ulid::Ulid::generate());
    portal::notify::SmsSender::send_sms(&sms, &to, &text)
        .await
        .expect("SNS accepts a publish with the origination number and sender id");
    let sent = portal_tests::moto_data().await["sns"]["SMS"].clone();
    assert!(
        sent.as_array()
            .unwrap()
            .iter()
            .any(|m| m["message"] == text.as_str() && m["phone_number"] == "+33611122233"),
        "{sent}"
    );
}
