//! Outbound webhooks, on both stores: endpoints checked (https, public hosts, known event
//! types, 10 per organisation) and isolated per organisation; the secret shown once and
//! rotated with a day's overlap; an order's events written once per change by the status
//! fan-out and sent by the schedule to a receiver on 127.0.0.1 that fails the first two
//! attempts: signed as the inbound generic integration verifies (checked with its
//! verifier), in order per order, retried; private targets refused without the flag, at
//! creation and after DNS at delivery; an endpoint failing for three days disabled and its
//! admins emailed; the test event and replay.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use bytes::Bytes;
use chrono::Duration;
use http_body_util::{BodyExt, Full};
use portal::domain::integration::platform::Platform;
use portal::domain::integration::signature::{verify, Signed};
use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

on_both_backends!(
    endpoints_are_validated_and_the_secret_is_shown_once,
    another_organisations_endpoint_is_not_found,
    private_targets_are_refused_without_the_flag,
    deliveries_are_signed_in_order_per_order_and_retried,
    a_rotated_secret_signs_beside_the_new_one_for_a_day,
    an_endpoint_failing_for_three_days_is_disabled_and_its_admins_emailed,
    the_test_event_and_a_replay_are_sent_now,
    the_settings_page_manages_endpoints_without_javascript,
    a_chat_message_is_sent_to_both_sides_endpoints,
);

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: http::HeaderMap,
    body: Bytes,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).unwrap().to_str().unwrap()
    }

    /// Checks the signature with the inbound generic integration's verifier, at the time
    /// the request was signed.
    fn verifies_with(&self, secret: &str) -> bool {
        let at =
            chrono::DateTime::from_timestamp(self.header("webhook-timestamp").parse().unwrap(), 0)
                .unwrap();
        let signed = Signed {
            headers: &self.headers,
            body: &self.body,
        };
        verify(Platform::Generic, &[key_of(secret)], &signed, at).is_ok()
    }
}

fn key_of(secret: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap()
}

/// A tiny HTTP server on 127.0.0.1 that answers 500 to its first `fail_first` requests
/// and 204 after, and keeps what it got.
struct Receiver {
    address: SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let count = Arc::new(AtomicUsize::new(0));
        let kept = got.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (kept, count) = (kept.clone(), count.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let (kept, count) = (kept.clone(), count.clone());
                            async move {
                                let (parts, body) = req.into_parts();
                                let body = body.collect().await.unwrap().to_bytes();
                                kept.lock().unwrap().push(Received {
                                    headers: parts.headers,
                                    body,
                                });
                                let status = if count.fetch_add(1, Ordering::SeqCst) < fail_first {
                                    500
                                } else {
                                    204
                                };
                                Ok::<_, std::convert::Infallible>(
                                    hyper::Response::builder()
                                        .status(status)
                                        .body(Full::new(Bytes::new()))
                                        .unwrap(),
                                )
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { address, got }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks", self.address)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

async fn courier_and_client(app: &TestApp) -> (Org, Org) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Rose Florist", "rose@rose.example")
        .await;
    (courier, client)
}

async fn create(app: &TestApp, key: &str, body: Value) -> TestResponse {
    let created = app.post("/v1/webhook-endpoints", key, body).await;
    if let Some(secret) = created.body["secret"].as_str() {
        app.logs.secret(secret);
    }
    created
}

async fn endpoint(app: &TestApp, key: &str, url: &str, types: &[&str]) -> (String, String) {
    let created = create(app, key, json!({"url": url, "eventTypes": types})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    (
        created.body["id"].as_str().unwrap().to_string(),
        created.body["secret"].as_str().unwrap().to_string(),
    )
}

async fn new_order(app: &TestApp, client: &Org, reference: &str) -> Value {
    let body = json!({
        "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}, "contact": {"name": "Ana", "phone": "+33612345678"}},
        "dropoff": {
            "address": {"line1": "9 Rue de la Paix", "city": "Paris"},
            "recipient": {"name": "Marie Curie", "phone": "+33698765432"}
        },
        "weight": 1.0, "pieces": 1, "externalId": reference
    });
    let response = app.post("/v1/orders", &client.key, body).await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

async fn task_event(app: &TestApp, courier: &Org, order: &Value, kind: &str, body: Value) {
    let task = order[kind]["id"].as_str().unwrap();
    let response = app
        .post(&format!("/v1/tasks/{task}/events"), &courier.key, body)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
}

/// One run of the `webhook-deliveries` schedule, as its function is wired.
async fn run_schedule(app: &TestApp) -> portal::hooks::worker::DeliveryReport {
    let ctx = app
        .ctx()
        .wired_for(portal_local::functions::WEBHOOK_DELIVERIES.needs);
    portal::hooks::worker::run_due_deliveries(&ctx, ctx.now())
        .await
        .expect("a run")
}

/// Runs the schedule a minute apart until nothing is attempted twice in a row.
async fn run_until_idle(app: &TestApp) {
    let mut idle = 0;
    for _ in 0..60 {
        let report = run_schedule(app).await;
        if report.attempted == 0 && report.waiting == 0 {
            idle += 1;
            if idle == 2 {
                return;
            }
        } else {
            idle = 0;
        }
        app.clock.advance(Duration::minutes(6));
    }
    panic!("the deliveries never settled");
}

async fn deliveries(app: &TestApp, key: &str, endpoint: &str) -> Vec<Value> {
    let listed = app
        .get(
            &format!("/v1/webhook-endpoints/{endpoint}/deliveries?limit=100"),
            key,
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    listed.body["items"].as_array().unwrap().clone()
}

async fn endpoints_are_validated_and_the_secret_is_shown_once(app: TestApp) {
    let (courier, _) = courier_and_client(&app).await;
    for (body, field, code) in [
        (
            json!({"eventTypes": ["order.created"]}),
            "url",
            "missing_field",
        ),
        (
            json!({"url": "https://hooks.example.com/in"}),
            "eventTypes",
            "missing_field",
        ),
        (
            json!({"url": "https://hooks.example.com/in", "eventTypes": ["order.deleted"]}),
            "eventTypes",
            "invalid_field",
        ),
        (
            json!({"url": "https://hooks.example.com/in", "eventTypes": []}),
            "eventTypes",
            "invalid_field",
        ),
        (
            json!({"url": "ftp://hooks.example.com/in", "eventTypes": ["order.created"]}),
            "url",
            "https_required",
        ),
        (
            json!({"url": "https://hooks.example.com/in", "eventTypes": ["order.created"], "description": "x".repeat(201)}),
            "description",
            "invalid_field",
        ),
    ] {
        let refused = create(&app, &courier.key, body.clone()).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        assert_eq!(
            (refused.error_field(), refused.error_code()),
            (field, code),
            "{body}"
        );
    }
    let unknown = create(
        &app,
        &courier.key,
        json!({"url": "https://hooks.example.com/in", "eventTypes": ["order.created"], "colour": "red"}),
    )
    .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert_eq!(unknown.error_field(), "colour");

    let created = create(
        &app,
        &courier.key,
        json!({
            "url": "https://hooks.example.com/in",
            "eventTypes": ["task.completed", "order.created", "task.completed"],
            "description": "  Dispatch system  "
        }),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["secret"].as_str().unwrap();
    assert!(key_of(secret).len() >= 24, "{secret}");
    assert_eq!(
        created.body["eventTypes"],
        json!(["order.created", "task.completed"])
    );
    assert_eq!(created.body["description"], "Dispatch system");
    assert_eq!(created.body["enabled"], true);
    let id = created.body["id"].as_str().unwrap();
    assert!(id.starts_with("whep_"));

    // Never shown again.
    let read = app
        .get(&format!("/v1/webhook-endpoints/{id}"), &courier.key)
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert!(read.body.get("secret").is_none());
    assert!(!read.text.contains(secret));
    let listed = app.get("/v1/webhook-endpoints", &courier.key).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(!listed.text.contains(secret));

    // Changed, turned off, by version.
    let patched = app
        .call(
            "PATCH",
            &format!("/v1/webhook-endpoints/{id}"),
            Some(&courier.key),
            Some(json!({"enabled": false, "description": null, "version": 1})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["enabled"], false);
    assert!(patched.body.get("description").is_none());
    let stale = app
        .call(
            "PATCH",
            &format!("/v1/webhook-endpoints/{id}"),
            Some(&courier.key),
            Some(json!({"enabled": true, "version": 1})),
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let bad_patch = app
        .call(
            "PATCH",
            &format!("/v1/webhook-endpoints/{id}"),
            Some(&courier.key),
            Some(json!({"eventTypes": ["chat.typing"]})),
        )
        .await;
    assert_eq!(bad_patch.status, 422);
    assert_eq!(bad_patch.error_field(), "eventTypes");

    // Ten per organisation.
    for n in 2..=10 {
        let more = create(
            &app,
            &courier.key,
            json!({"url": format!("https://hooks{n}.example.com/"), "eventTypes": ["order.created"]}),
        )
        .await;
        assert_eq!(more.status, 201, "{n}: {}", more.text);
    }
    let eleventh = create(
        &app,
        &courier.key,
        json!({"url": "https://hooks11.example.com/", "eventTypes": ["order.created"]}),
    )
    .await;
    assert_eq!(eleventh.status, 422, "{}", eleventh.text);
    assert_eq!(eleventh.error_code(), "too_many_endpoints");
    assert!(eleventh.text.contains("at most 10"));
    let deleted = app
        .call(
            "DELETE",
            &format!("/v1/webhook-endpoints/{id}"),
            Some(&courier.key),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let gone = app
        .get(&format!("/v1/webhook-endpoints/{id}"), &courier.key)
        .await;
    assert_eq!(gone.status, 404);
    let again = create(
        &app,
        &courier.key,
        json!({"url": "https://hooks11.example.com/", "eventTypes": ["order.created"]}),
    )
    .await;
    assert_eq!(again.status, 201, "{}", again.text);
}

async fn another_organisations_endpoint_is_not_found(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    let other = app.create_courier("Other Couriers").await;
    let (id, _) = endpoint(
        &app,
        &courier.key,
        "https://hooks.example.com/",
        &["order.created"],
    )
    .await;
    for key in [&other.key, &client.key] {
        for (method, path, body) in [
            ("GET", format!("/v1/webhook-endpoints/{id}"), None),
            (
                "PATCH",
                format!("/v1/webhook-endpoints/{id}"),
                Some(json!({"enabled": false})),
            ),
            ("DELETE", format!("/v1/webhook-endpoints/{id}"), None),
            (
                "POST",
                format!("/v1/webhook-endpoints/{id}/rotate-secret"),
                None,
            ),
            ("POST", format!("/v1/webhook-endpoints/{id}/test"), None),
            (
                "GET",
                format!("/v1/webhook-endpoints/{id}/deliveries"),
                None,
            ),
            (
                "POST",
                format!(
                    "/v1/webhook-endpoints/{id}/deliveries/dlv_01J00000000000000000000000/replay"
                ),
                None,
            ),
        ] {
            let answer = app.call(method, &path, Some(key), body).await;
            assert_eq!(answer.status, 404, "{method} {path}: {}", answer.text);
        }
        let listed = app.get("/v1/webhook-endpoints", key).await;
        assert_eq!(listed.body["items"], json!([]));
    }
    // The client's own endpoints are its own.
    let (client_endpoint, _) = endpoint(
        &app,
        &client.key,
        "https://client.example.com/",
        &["task.completed"],
    )
    .await;
    let read = app
        .get(
            &format!("/v1/webhook-endpoints/{client_endpoint}"),
            &client.key,
        )
        .await;
    assert_eq!(read.status, 200);
    let by_courier = app
        .get(
            &format!("/v1/webhook-endpoints/{client_endpoint}"),
            &courier.key,
        )
        .await;
    assert_eq!(by_courier.status, 404);
    let still = app
        .get(&format!("/v1/webhook-endpoints/{id}"), &courier.key)
        .await;
    assert_eq!(still.status, 200, "nothing above changed it");
    assert_eq!(still.body["version"], 1);
}

async fn private_targets_are_refused_without_the_flag(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    // The same portal, deployed: PORTAL_WEBHOOKS_ALLOW_PRIVATE unset.
    let mut strict = app.ctx().clone();
    strict.config.webhooks_allow_private = false;
    let strict = Arc::new(strict);
    let deployed = portal_local::LocalApp::new(strict.clone(), &portal_local::Template::built_in());
    for url in [
        "https://127.0.0.1/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/",
        "https://10.0.0.8/",
        "https://localhost:8443/",
        "http://hooks.example.com/",
    ] {
        let body = json!({"url": url, "eventTypes": ["order.created"]});
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "authorization",
            format!("Bearer {}", courier.key).parse().unwrap(),
        );
        let answer = portal_tests::TestResponse::from(
            deployed
                .handle(
                    "POST",
                    "/v1/webhook-endpoints",
                    headers,
                    Bytes::from(body.to_string()),
                )
                .await,
        );
        assert_eq!(answer.status, 422, "{url}: {}", answer.text);
        assert_eq!(answer.error_field(), "url", "{url}");
        let code = if url.starts_with("http:") {
            "https_required"
        } else {
            "private_address"
        };
        assert_eq!(answer.error_code(), code, "{url}");
    }

    // An endpoint made with the flag is still refused by a delivery without it: nothing is
    // sent, the attempt says why.
    let receiver = Receiver::start(0).await;
    let (id, _) = endpoint(&app, &courier.key, &receiver.url(), &["order.created"]).await;
    new_order(&app, &client, "R-1").await;
    assert_eq!(app.deliver_stream().await, 0);
    let report = portal::hooks::worker::run_due_deliveries(
        &strict.wired_for(portal_local::functions::WEBHOOK_DELIVERIES.needs),
        strict.now(),
    )
    .await
    .unwrap();
    assert_eq!(report.attempted, 1);
    assert!(receiver.got().is_empty(), "nothing reached 127.0.0.1");
    let listed = deliveries(&app, &courier.key, &id).await;
    let attempt = &listed[0]["attempts"][0];
    assert_eq!(attempt["outcome"], "refused", "{attempt}");
    assert_eq!(listed[0]["status"], "pending", "retried later");

    // After DNS: a name that resolves to a loopback address is refused at delivery.
    let url = portal::domain::webhook::EndpointUrl::parse(
        &format!("https://localhost:{}/", receiver.address.port()),
        true,
    )
    .unwrap();
    let outcome = portal::hooks::send::post(&url, &[], "{}", false).await;
    assert!(outcome.refused, "{outcome:?}");
    assert!(
        outcome
            .error
            .as_deref()
            .unwrap()
            .contains("not a public address"),
        "{outcome:?}"
    );
    assert!(receiver.got().is_empty());
}

async fn deliveries_are_signed_in_order_per_order_and_retried(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    let other_client = app
        .onboard_client(&courier, "Tulip Shop", "tulip@tulip.example")
        .await;
    let receiver = Receiver::start(2).await;
    let (courier_endpoint, courier_secret) = endpoint(
        &app,
        &courier.key,
        &receiver.url(),
        &[
            "order.created",
            "order.status_changed",
            "task.completed",
            "task.eta",
        ],
    )
    .await;
    let client_receiver = Receiver::start(0).await;
    let (client_endpoint, client_secret) = endpoint(
        &app,
        &client.key,
        &client_receiver.url(),
        &["task.completed"],
    )
    .await;
    // Turned off: receives nothing.
    let (off, _) = endpoint(&app, &courier.key, &receiver.url(), &["order.created"]).await;
    let patched = app
        .call(
            "PATCH",
            &format!("/v1/webhook-endpoints/{off}"),
            Some(&courier.key),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(patched.status, 200);

    let order = new_order(&app, &client, "R-1").await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let eta = (app.ctx().now() + Duration::hours(1)).to_rfc3339();
    task_event(
        &app,
        &courier,
        &order,
        "pickup",
        json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
    )
    .await;
    task_event(&app, &courier, &order, "pickup", json!({"type": "started"})).await;
    task_event(
        &app,
        &courier,
        &order,
        "pickup",
        json!({"type": "eta", "eta": eta}),
    )
    .await;
    task_event(
        &app,
        &courier,
        &order,
        "pickup",
        json!({"type": "completed"}),
    )
    .await;
    assert_eq!(app.deliver_stream().await, 0, "no record failed");
    // A redelivered stream writes nothing twice.
    app.redeliver_stream_from_start().await;
    run_until_idle(&app).await;
    // Another client's order: the courier's endpoint has it, not this client's.
    new_order(&app, &other_client, "T-1").await;
    assert_eq!(app.deliver_stream().await, 0, "no record failed");
    run_until_idle(&app).await;

    let got = receiver.got();
    let types: Vec<(String, String)> = got
        .iter()
        .map(|r| {
            let body = r.json();
            (
                body["data"]["order"]["id"].as_str().unwrap().to_string(),
                body["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ours: Vec<&str> = types
        .iter()
        .filter(|(o, _)| *o == order_id)
        .map(|(_, t)| t.as_str())
        .collect();
    // The first delivery was refused twice (500), then delivered: three requests for it,
    // and every later event of the order only after it, in order.
    assert_eq!(ours[..3], ["order.created"; 3], "{types:?}");
    let after: Vec<&str> = ours[3..].to_vec();
    assert_eq!(after.first(), Some(&"order.status_changed"), "{types:?}");
    assert!(after.contains(&"task.eta"), "{types:?}");
    assert_eq!(after.last(), Some(&"task.completed"), "{types:?}");
    let ids: Vec<&str> = got
        .iter()
        .filter(|r| r.json()["data"]["order"]["id"] == json!(order_id))
        .map(|r| r.header("webhook-id"))
        .collect();
    let mut distinct = ids.clone();
    distinct.dedup();
    let mut sorted = distinct.clone();
    sorted.sort();
    assert_eq!(distinct, sorted, "sent in the order of the events");
    let mut unique = sorted.clone();
    unique.dedup();
    assert_eq!(
        unique.len(),
        sorted.len(),
        "each event once after its retries"
    );
    assert_eq!(
        types.iter().filter(|(o, _)| *o != order_id).count(),
        1,
        "the other client's order.created: {types:?}"
    );
    for request in &got {
        assert!(
            request.verifies_with(&courier_secret),
            "{:?}",
            request.headers
        );
        assert!(request.header("webhook-id").starts_with("msg_"));
        assert_eq!(request.header("content-type"), "application/json");
        let body = request.json();
        assert!(body["timestamp"].is_string() && body["data"].is_object());
        assert!(!request.verifies_with(&client_secret));
    }

    // The log: the first delivery's three attempts, with answers and latency.
    let log = deliveries(&app, &courier.key, &courier_endpoint).await;
    assert_eq!(log.len(), unique.len() + 1, "{log:?}");
    let first = log.last().unwrap();
    assert_eq!(first["eventType"], "order.created");
    assert_eq!(first["status"], "delivered");
    let codes: Vec<&Value> = first["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["statusCode"])
        .collect();
    assert_eq!(codes, [&json!(500), &json!(500), &json!(204)]);
    assert!(first["attempts"][0]["latencyMs"].is_u64());
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");
    // Newest first, a page at a time.
    let page = app
        .get(
            &format!("/v1/webhook-endpoints/{courier_endpoint}/deliveries?limit=1"),
            &courier.key,
        )
        .await;
    assert_eq!(page.body["items"][0]["id"], log[0]["id"]);
    assert!(page.body["nextCursor"].is_string());

    // The client's endpoint: its own order's task.completed only.
    let client_got = client_receiver.got();
    assert_eq!(client_got.len(), 1, "{client_got:?}");
    assert_eq!(client_got[0].json()["type"], "task.completed");
    assert_eq!(client_got[0].json()["data"]["order"]["id"], json!(order_id));
    assert_eq!(client_got[0].json()["data"]["task"]["kind"], "pickup");
    assert!(client_got[0].verifies_with(&client_secret));
    assert_eq!(
        deliveries(&app, &client.key, &client_endpoint).await.len(),
        1
    );
    assert!(deliveries(&app, &courier.key, &off).await.is_empty());
}

async fn a_rotated_secret_signs_beside_the_new_one_for_a_day(app: TestApp) {
    let (courier, _) = courier_and_client(&app).await;
    let receiver = Receiver::start(0).await;
    let (id, old) = endpoint(&app, &courier.key, &receiver.url(), &["order.created"]).await;
    let rotated = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
            &courier.key,
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = rotated.body["secret"].as_str().unwrap().to_string();
    app.logs.secret(&new);
    assert_ne!(new, old);
    assert!(rotated.body["previousSecretExpiresAt"].is_string());
    let read = app
        .get(&format!("/v1/webhook-endpoints/{id}"), &courier.key)
        .await;
    assert!(!read.text.contains(&new) && !read.text.contains(&old));

    let tested = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/test"),
            &courier.key,
            json!({}),
        )
        .await;
    assert_eq!(tested.status, 200, "{}", tested.text);
    let during = receiver.got().pop().unwrap();
    assert_eq!(
        during.header("webhook-signature").split(' ').count(),
        2,
        "two signatures during the overlap"
    );
    assert!(during.verifies_with(&new) && during.verifies_with(&old));

    app.clock.advance(Duration::hours(25));
    let tested = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/test"),
            &courier.key,
            json!({}),
        )
        .await;
    assert_eq!(tested.status, 200, "{}", tested.text);
    let after = receiver.got().pop().unwrap();
    assert_eq!(after.header("webhook-signature").split(' ').count(), 1);
    assert!(after.verifies_with(&new));
    assert!(!after.verifies_with(&old), "the old secret no longer signs");
}

async fn an_endpoint_failing_for_three_days_is_disabled_and_its_admins_emailed(app: TestApp) {
    // A courier with a person (its admin), who is emailed.
    let (courier, _) =
        crate::teams::courier_signed_in(&app, "Swift Couriers", "dispatch@swift.example").await;
    let client = app
        .onboard_client(&courier, "Rose Florist", "rose@rose.example")
        .await;
    let receiver = Receiver::start(usize::MAX).await;
    let (id, _) = endpoint(&app, &courier.key, &receiver.url(), &["order.created"]).await;
    new_order(&app, &client, "R-1").await;
    assert_eq!(app.deliver_stream().await, 0);
    let mut disabled = vec![];
    for _ in 0..20 {
        let report = run_schedule(&app).await;
        disabled.extend(report.disabled);
        if !disabled.is_empty() {
            break;
        }
        // To the next retry, whatever it is.
        app.clock
            .advance(Duration::hours(10) + Duration::minutes(1));
    }
    assert_eq!(disabled, [id.clone()]);
    let read = app
        .get(&format!("/v1/webhook-endpoints/{id}"), &courier.key)
        .await;
    assert_eq!(read.body["enabled"], false, "{}", read.text);
    assert!(read.body["disabledReason"].is_string());
    assert!(read.body["failingSince"].is_string());
    let email = app.last_email_to("dispatch@swift.example");
    assert_eq!(email.subject, "Your webhook endpoint was turned off");
    assert!(email.text.contains(&receiver.url()), "{}", email.text);
    assert!(email.text.contains("turn it back on"), "{}", email.text);
    assert!(email.html.as_deref().unwrap().contains("Turn it back on"));
    let attempts = receiver.got().len();
    assert!(attempts >= 8, "retried over three days: {attempts}");

    // Nothing more is sent to it; turned back on, it starts afresh.
    app.clock.advance(Duration::hours(11));
    run_schedule(&app).await;
    assert_eq!(receiver.got().len(), attempts);
    let on = app
        .call(
            "PATCH",
            &format!("/v1/webhook-endpoints/{id}"),
            Some(&courier.key),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert!(on.body.get("failingSince").is_none() && on.body.get("disabledReason").is_none());
}

async fn the_test_event_and_a_replay_are_sent_now(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    let receiver = Receiver::start(0).await;
    let (id, secret) = endpoint(&app, &courier.key, &receiver.url(), &["order.created"]).await;
    let tested = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/test"),
            &courier.key,
            json!({}),
        )
        .await;
    assert_eq!(tested.status, 200, "{}", tested.text);
    assert_eq!(tested.body["status"], "delivered");
    assert_eq!(tested.body["eventType"], "ping");
    assert_eq!(tested.body["attempts"][0]["statusCode"], 204);
    let ping = receiver.got().pop().unwrap();
    assert_eq!(ping.json()["type"], "ping");
    assert!(ping.verifies_with(&secret));

    new_order(&app, &client, "R-1").await;
    app.deliver_stream().await;
    run_schedule(&app).await;
    let log = deliveries(&app, &courier.key, &id).await;
    assert_eq!(log.len(), 2, "{log:?}");
    let created = log
        .iter()
        .find(|d| d["eventType"] == "order.created")
        .unwrap();
    assert_eq!(created["status"], "delivered");
    let delivery = created["id"].as_str().unwrap();
    let replayed = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/deliveries/{delivery}/replay"),
            &courier.key,
            json!({}),
        )
        .await;
    assert_eq!(replayed.status, 202, "{}", replayed.text);
    assert_eq!(replayed.body["status"], "pending");
    run_schedule(&app).await;
    let got = receiver.got();
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[1].header("webhook-id"),
        got[2].header("webhook-id"),
        "a replay is the same event"
    );
    assert_eq!(got[1].body, got[2].body);
    let missing = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/deliveries/dlv_nope/replay"),
            &courier.key,
            json!({}),
        )
        .await;
    assert_eq!(missing.status, 404);

    // A test event to an endpoint that does not answer says so.
    let nobody = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = nobody.local_addr().unwrap();
    drop(nobody);
    let (dead, _) = endpoint(
        &app,
        &courier.key,
        &format!("http://{closed}/"),
        &["order.created"],
    )
    .await;
    let failed = app
        .post(
            &format!("/v1/webhook-endpoints/{dead}/test"),
            &courier.key,
            json!({}),
        )
        .await;
    assert_eq!(failed.status, 200, "{}", failed.text);
    assert_eq!(failed.body["status"], "failed");
    assert!(failed.body["attempts"][0]["error"]
        .as_str()
        .unwrap()
        .contains("no connection"));
}

async fn the_settings_page_manages_endpoints_without_javascript(app: TestApp) {
    use crate::web_pages::{client_with_user, get, post};
    let (courier, ops) =
        crate::teams::courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (_, pia) = client_with_user(&app, &courier, "Rose Florist", "pia@rose.example").await;
    let receiver = Receiver::start(0).await;

    let page = get(&app, "/settings/api", &ops).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Webhook endpoints"));
    assert!(page.text.contains("No webhook endpoints yet."));

    // Refused next to the field, what was typed kept.
    let refused = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[
            ("action", "create"),
            ("url", "ftp://erp.example"),
            ("eventTypes", "order.created"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("id=\"hook-url-error\""));
    assert!(refused.text.contains("must start with https://"));
    assert!(refused.text.contains("value=\"ftp://erp.example\""));
    let no_events = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[("action", "create"), ("url", "https://erp.example/in")],
    )
    .await;
    assert_eq!(no_events.status, 422);
    assert!(no_events.text.contains("id=\"hook-events-error\""));

    // Added: the secret shown once.
    let url = receiver.url();
    let added = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[
            ("action", "create"),
            ("url", url.as_str()),
            ("eventTypes", "order.created"),
            ("eventTypes", "task.completed"),
            ("description", "Dispatch system"),
        ],
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let secret = portal_tests::token_in(&added.text, "id=\"secret-value\">", "<");
    app.logs.secret(&secret);
    assert!(secret.starts_with("whsec_"));
    let id = portal_tests::token_in(&added.text, "name=\"endpointId\" value=\"", "\"");
    let page = get(&app, "/settings/api", &ops).await;
    assert!(!page.text.contains(&secret), "shown once");
    assert!(page
        .text
        .contains("A new order; A pickup or drop-off is done"));
    assert!(page.text.contains("Dispatch system"));

    // Send test event: its outcome in words, the log in local time.
    let tested = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[("action", "test"), ("endpointId", id.as_str())],
    )
    .await;
    assert_eq!(tested.status, 200, "{}", tested.text);
    assert!(
        tested
            .text
            .contains("Test event sent: your endpoint answered 204"),
        "{}",
        tested.text
    );
    assert!(tested.text.contains("id=\"webhook-log\""));
    assert!(tested.text.contains("<td>Test event</td>"));
    assert!(tested.text.contains("your endpoint answered 204 after"));
    assert!(!tested.text.contains(".000Z"), "no raw timestamps");
    let delivery = portal_tests::token_in(&tested.text, "name=\"deliveryId\" value=\"", "\"");
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    assert!(got[0].verifies_with(&secret));

    // Replay from the log.
    let replayed = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[
            ("action", "replay"),
            ("endpointId", id.as_str()),
            ("deliveryId", delivery.as_str()),
        ],
    )
    .await;
    assert_eq!(replayed.status, 303, "{}", replayed.text);
    assert_eq!(
        replayed.header("location"),
        Some(format!("/settings/api?webhook={id}#webhook-log").as_str())
    );
    run_schedule(&app).await;
    assert_eq!(receiver.got().len(), 2);

    // Off, then a new secret (shown once, the old one still signing for a day).
    let off = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[("action", "disable"), ("endpointId", id.as_str())],
    )
    .await;
    assert_eq!(off.status, 303);
    let page = get(&app, "/settings/api", &ops).await;
    assert!(page.text.contains("<td>Off</td>"), "{}", page.text);
    assert!(page.text.contains(">Turn on</button>"));
    let rotated = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[("action", "rotate"), ("endpointId", id.as_str())],
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = portal_tests::token_in(&rotated.text, "id=\"secret-value\">", "<");
    app.logs.secret(&new_secret);
    assert_ne!(new_secret, secret);
    assert!(rotated
        .text
        .contains("keeps signing beside the new one for 24 hours"));

    // The client's people see their own endpoints only, and cannot touch the courier's.
    let theirs = get(&app, "/settings/api", &pia).await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    assert!(theirs.text.contains("No webhook endpoints yet."));
    assert!(!theirs.text.contains(&url));
    let foreign = post(
        &app,
        "/settings/api/webhooks",
        &pia,
        &[("action", "delete"), ("endpointId", id.as_str())],
    )
    .await;
    assert_eq!(foreign.status, 404);
    let log = get(&app, &format!("/settings/api?webhook={id}"), &pia).await;
    assert_eq!(log.status, 404);

    let deleted = post(
        &app,
        "/settings/api/webhooks",
        &ops,
        &[("action", "delete"), ("endpointId", id.as_str())],
    )
    .await;
    assert_eq!(deleted.status, 303);
    let page = get(&app, "/settings/api", &ops).await;
    assert!(page.text.contains("No webhook endpoints yet."));
}

async fn a_chat_message_is_sent_to_both_sides_endpoints(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    let other = app
        .onboard_client(&courier, "Tulip Shop", "tulip@tulip.example")
        .await;
    let receiver = Receiver::start(0).await;
    let (courier_hook, courier_secret) =
        endpoint(&app, &courier.key, &receiver.url(), &["chat.message"]).await;
    let (client_hook, _) = endpoint(&app, &client.key, &receiver.url(), &["chat.message"]).await;
    let (other_hook, _) = endpoint(&app, &other.key, &receiver.url(), &["chat.message"]).await;
    let (orders_only, _) = endpoint(&app, &courier.key, &receiver.url(), &["order.created"]).await;
    let said = app
        .post(
            "/v1/chat/messages",
            &client.key,
            json!({"text": "Is the van late?"}),
        )
        .await;
    assert_eq!(said.status, 201, "{}", said.text);
    run_schedule(&app).await;
    let got = receiver.got();
    assert_eq!(got.len(), 2, "the courier's and the client's, not Tulip's");
    for request in &got {
        let body = request.json();
        assert_eq!(body["type"], "chat.message");
        assert_eq!(body["data"]["message"]["text"], "Is the van late?");
        assert_eq!(body["data"]["message"]["id"], said.body["id"]);
    }
    assert!(got.iter().any(|r| r.verifies_with(&courier_secret)));
    assert_eq!(deliveries(&app, &courier.key, &courier_hook).await.len(), 1);
    assert_eq!(deliveries(&app, &client.key, &client_hook).await.len(), 1);
    assert!(deliveries(&app, &other.key, &other_hook).await.is_empty());
    assert!(deliveries(&app, &courier.key, &orders_only)
        .await
        .is_empty());
}
