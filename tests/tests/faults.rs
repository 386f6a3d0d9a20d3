//! Under faults (moto server behind `scripts/fault-proxy.py`): AWS throttling a third of every
//! operation's calls, and answers lost after their call took effect. Nothing is lost, nothing
//! is done twice, and a caller who did nothing wrong never gets 409 for its own retry.

use portal_tests::faults::{first, rule, FaultProxy};
use portal_tests::{moto_url, skip_without_moto, Org, TestApp, TestResponse};
use serde_json::{json, Value};

/// A number no other test texts (moto's outbox is shared by every test of the run).
fn fresh_number() -> String {
    let n = ulid::Ulid::generate().random() % 10_000_000;
    format!("+336{n:08}")
}

struct World {
    app: TestApp,
    courier: Org,
    client: Org,
    recipient: String,
}

async fn world(app: TestApp) -> World {
    let courier = app.create_courier("Steady Couriers").await;
    let client = app
        .onboard_client(&courier, "Steady Florist", "orders@steady.example")
        .await;
    World {
        app,
        courier,
        client,
        recipient: fresh_number(),
    }
}

impl World {
    async fn create(&self, idempotency_key: &str) -> TestResponse {
        let body = json!({
            "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
            "dropoff": {
                "address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                "recipient": {"name": "Marie Curie", "phone": self.recipient}
            }
        });
        let authorization = format!("Bearer {}", self.client.key);
        self.app
            .raw(
                "POST",
                "/v1/orders",
                &[
                    ("authorization", &authorization),
                    ("idempotency-key", idempotency_key),
                    ("content-type", "application/json"),
                ],
                body.to_string().into(),
            )
            .await
    }

    async fn event(&self, order: &Value, kind: &str, body: Value) -> TestResponse {
        let task = order[kind]["id"].as_str().unwrap();
        self.app
            .post(&format!("/v1/tasks/{task}/events"), &self.courier.key, body)
            .await
    }

    /// Both tasks assigned, the pickup done: the dropoff may start.
    async fn until_the_dropoff(&self, order: &Value) {
        for (kind, body) in [
            (
                "pickup",
                json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
            ),
            (
                "dropoff",
                json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
            ),
            ("pickup", json!({"type": "started"})),
            ("pickup", json!({"type": "completed"})),
        ] {
            let answer = self.event(order, kind, body.clone()).await;
            assert_eq!(answer.status, 200, "{kind} {body}: {}", answer.text);
        }
    }

    async fn orders(&self) -> Vec<Value> {
        let listed = self.app.get("/v1/orders", &self.client.key).await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        listed.body["items"].as_array().unwrap().clone()
    }

    async fn texts(&self) -> Vec<String> {
        let mut texts: Vec<String> = self
            .app
            .moto_sms()
            .await
            .into_iter()
            .filter(|(to, _)| *to == self.recipient)
            .map(|(_, text)| text)
            .collect();
        texts.sort();
        texts
    }
}

/// A fault proxy before moto server and a world whose every AWS call goes through it
/// (`None`: no moto server in this run).
async fn behind_a_proxy() -> Option<(FaultProxy, World)> {
    if skip_without_moto() {
        return None;
    }
    let proxy = FaultProxy::start(&moto_url());
    let w = world(TestApp::moto_at(&proxy.url()).await).await;
    Some((proxy, w))
}

/// What a day of work leaves, in numbers that do not depend on ids or times.
#[derive(Debug, PartialEq)]
struct Outcome {
    orders: usize,
    statuses: Vec<String>,
    texts: usize,
    chat_messages: usize,
}

/// Three orders (one created twice with its idempotency key), one carried to its delivery
/// with the stream delivered to the fan-out, and a chat message each way.
async fn a_day(w: &World) -> Outcome {
    let mut created = vec![];
    for key in ["day-1", "day-2", "day-3", "day-1"] {
        let answer = w.create(key).await;
        assert!(matches!(answer.status, 200 | 201), "{key}: {}", answer.text);
        created.push(answer.body);
    }
    assert_eq!(
        created[0]["id"], created[3]["id"],
        "the same key, the same order"
    );
    let order = &created[0];
    for (kind, body) in [
        (
            "pickup",
            json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
        ),
        (
            "dropoff",
            json!({"type": "assigned", "driver": {"name": "Sam Driver"}}),
        ),
        ("pickup", json!({"type": "started"})),
        ("pickup", json!({"type": "completed"})),
        ("dropoff", json!({"type": "started"})),
        ("dropoff", json!({"type": "arrived"})),
        ("dropoff", json!({"type": "completed"})),
    ] {
        let answer = w.event(order, kind, body.clone()).await;
        assert_eq!(answer.status, 200, "{kind} {body}: {}", answer.text);
    }
    // A record whose text was throttled fails its batch, which Lambda retries: here, the
    // stream again from its start (every other message is already marked sent).
    let mut failed = w.app.deliver_stream().await;
    for _ in 0..5 {
        if failed == 0 {
            break;
        }
        failed = w.app.redeliver_stream_from_start().await;
    }
    assert_eq!(failed, 0, "every record went through on a retry");
    for (key, body) in [
        (&w.client.key, json!({"text": "Is the parcel on its way?"})),
        (
            &w.courier.key,
            json!({"text": "Yes, delivered.", "clientId": w.client.id}),
        ),
    ] {
        let sent = w.app.post("/v1/chat/messages", key, body).await;
        assert_eq!(sent.status, 201, "{}", sent.text);
    }
    let chat = w.app.get("/v1/chat/messages", &w.client.key).await;
    assert_eq!(chat.status, 200, "{}", chat.text);
    let orders = w.orders().await;
    let mut statuses: Vec<String> = orders
        .iter()
        .map(|o| o["status"].as_str().unwrap().to_string())
        .collect();
    statuses.sort();
    Outcome {
        orders: orders.len(),
        statuses,
        texts: w.texts().await.len(),
        chat_messages: chat.body["items"].as_array().unwrap().len(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_under_thirty_percent_throttling_loses_and_duplicates_nothing() {
    if skip_without_moto() {
        return;
    }
    // The same day without faults, then with three calls in ten of every operation of
    // DynamoDB, its stream, SNS and SES throttled (never two in a row, so each call's own
    // retries get through: what is tested is that a retried call is not done twice).
    let calm = world(TestApp::moto().await).await;
    let expected = a_day(&calm).await;
    assert!(expected.texts > 0, "the delivery texted its recipient");

    let proxy = FaultProxy::start(&moto_url());
    let w = world(TestApp::moto_at(&proxy.url()).await).await;
    proxy.set(json!([rule("*", "*", 10, &[0, 3, 6], "throttle")]));
    let outcome = a_day(&w).await;
    let injected = proxy.injected();
    proxy.clear();
    assert!(injected > 30, "faults were injected ({})", proxy.stats());
    assert_eq!(outcome, expected);
    // Read again, with no fault: the table and the outbox agree.
    assert_eq!(w.orders().await.len(), expected.orders);
    assert_eq!(w.texts().await.len(), expected.texts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_whose_creation_answer_was_lost_is_created_once() {
    let Some((proxy, w)) = behind_a_proxy().await else {
        return;
    };
    // The order's transaction is committed, its answer lost; the SDK retries it at once.
    proxy.set(json!([first("dynamodb", "TransactWriteItems", "lost")]));
    let answer = w.create("lost-1").await;
    assert_eq!(proxy.injected(), 1, "{}", proxy.stats());
    proxy.clear();
    assert_ne!(
        answer.status, 409,
        "the caller's own write is no conflict: {}",
        answer.text
    );
    // The client retries with its key (whatever it got): one order.
    let again = w.create("lost-1").await;
    assert!(matches!(again.status, 200 | 201), "{}", again.text);
    if answer.status < 300 {
        assert_eq!(answer.body["id"], again.body["id"]);
    }
    assert_eq!(w.orders().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_event_whose_answer_was_lost_is_recorded_once() {
    let Some((proxy, w)) = behind_a_proxy().await else {
        return;
    };
    let created = w.create("event-1").await;
    assert_eq!(created.status, 201, "{}", created.text);
    let order = created.body;
    w.until_the_dropoff(&order).await;
    // The event's write is committed, its answer lost.
    proxy.set(json!([
        first("dynamodb", "UpdateItem", "lost"),
        first("dynamodb", "TransactWriteItems", "lost")
    ]));
    let answer = w.event(&order, "dropoff", json!({"type": "started"})).await;
    assert_eq!(proxy.injected(), 1, "{}", proxy.stats());
    proxy.clear();
    assert_ne!(
        answer.status, 409,
        "the caller's own write is no conflict: {}",
        answer.text
    );
    // Dispatch retries the same event.
    let again = w.event(&order, "dropoff", json!({"type": "started"})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let read = w
        .app
        .get(
            &format!("/v1/orders/{}", order["id"].as_str().unwrap()),
            &w.client.key,
        )
        .await;
    let started = read.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.to_string().contains("dropoff_started"))
        .count();
    assert_eq!(started, 1, "{}", read.body["timeline"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_whose_marker_answer_was_lost_is_sent_once() {
    let Some((proxy, w)) = behind_a_proxy().await else {
        return;
    };
    let created = w.create("marker-1").await;
    assert_eq!(created.status, 201, "{}", created.text);
    let order = created.body;
    w.until_the_dropoff(&order).await;
    let started = w.event(&order, "dropoff", json!({"type": "started"})).await;
    assert_eq!(started.status, 200, "{}", started.text);
    // The send-once marker is written, its answer lost: the retry finds it taken.
    proxy.set(json!([first("dynamodb", "PutItem", "lost")]));
    w.app.deliver_stream().await;
    assert_eq!(proxy.injected(), 1, "{}", proxy.stats());
    proxy.clear();
    w.app.redeliver_stream_from_start().await;
    // The put's own condition failed on its own marker: recognised, and the text sent.
    assert_eq!(w.texts().await.len(), 1, "sent, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_whose_answer_was_lost_is_not_sent_again_and_a_throttled_one_is_sent_once() {
    let Some((proxy, w)) = behind_a_proxy().await else {
        return;
    };
    let created = w.create("sms-1").await;
    assert_eq!(created.status, 201, "{}", created.text);
    let order = created.body;
    w.until_the_dropoff(&order).await;
    let started = w.event(&order, "dropoff", json!({"type": "started"})).await;
    assert_eq!(started.status, 200, "{}", started.text);

    // SNS took the text, its answer was lost: sent once, never again (at most once).
    proxy.set(json!([first("sns", "Publish", "lost")]));
    w.app.deliver_stream().await;
    assert_eq!(
        proxy.stats()["calls"]["sns.Publish"],
        1,
        "no retry of a lost send"
    );
    proxy.clear();
    assert_eq!(w.texts().await.len(), 1);
    w.app.redeliver_stream_from_start().await;
    assert_eq!(
        w.texts().await.len(),
        1,
        "a retried batch sends nothing again"
    );

    // The next text is throttled (not taken): the stream's retry sends it, once.
    let completed = w
        .event(&order, "dropoff", json!({"type": "completed"}))
        .await;
    assert_eq!(completed.status, 200, "{}", completed.text);
    proxy.set(json!([first("sns", "Publish", "throttle")]));
    let failed = w.app.deliver_stream().await;
    assert_eq!(proxy.injected(), 1, "{}", proxy.stats());
    proxy.clear();
    assert_eq!(failed, 1, "the throttled record is reported for a retry");
    assert_eq!(w.texts().await.len(), 1);
    w.app.redeliver_stream_from_start().await;
    assert_eq!(w.texts().await.len(), 2, "sent on the retry");
    w.app.redeliver_stream_from_start().await;
    assert_eq!(w.texts().await.len(), 2, "and only once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_whose_answer_was_lost_is_sent_again_when_asked_again() {
    let Some((proxy, w)) = behind_a_proxy().await else {
        return;
    };
    let unique = format!("Lostmail{}", ulid::Ulid::generate());
    let client = w
        .app
        .create_client(&w.courier, &unique, "owner@lostmail.example")
        .await;
    let invitations = || async {
        w.app
            .moto_emails()
            .await
            .into_iter()
            .filter(|mail| mail.contains(&unique))
            .count()
    };
    let uri = format!("/v1/clients/{client}/invitation");
    let invite = || w.app.call("POST", &uri, Some(&w.courier.key), None);
    // SES took the email, its answer was lost: the courier is told it failed, and nothing
    // is left half-done (SES is not asked twice by the SDK).
    proxy.set(json!([first("ses", "SendEmail", "lost")]));
    let lost = invite().await;
    assert_eq!(
        proxy.stats()["calls"]["ses.SendEmail"],
        1,
        "no retry of a lost send"
    );
    proxy.clear();
    assert!(lost.status >= 500, "{} {}", lost.status, lost.text);
    assert_eq!(lost.body["error"]["code"], "unavailable", "{}", lost.text);
    assert_eq!(invitations().await, 1, "it went out all the same");
    // Asked again: a new invitation, sent (the first may have arrived too).
    let again = invite().await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(invitations().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_records_with_a_poisoned_one_under_throttling_send_every_other_text_once() {
    let Some((proxy, w)) = behind_a_proxy().await else {
        return;
    };
    // One dropoff set off for real, then a hundred of its like: its order item before and
    // after, under a hundred order ids and tracking tokens of their own.
    let created = w.create("batch").await;
    assert_eq!(created.status, 201, "{}", created.text);
    let order = created.body;
    w.until_the_dropoff(&order).await;
    let key = portal::store::Key::new(
        format!("COURIER#{}", w.courier.id),
        format!("ORDER#{}", order["id"].as_str().unwrap()),
    );
    let before = Value::Object(w.app.store.get(&key).await.unwrap().unwrap());
    let started = w.event(&order, "dropoff", json!({"type": "started"})).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let after = Value::Object(w.app.store.get(&key).await.unwrap().unwrap());
    let id = order["id"].as_str().unwrap();
    let like = |item: &Value, i: usize| -> Value {
        let other = format!("{}{i:03}", &id[..id.len() - 3]);
        let text = item.to_string().replace(id, &other);
        let mut item: Value = serde_json::from_str(&text).unwrap();
        for field in ["trackingToken", "shortId"] {
            if let Some(value) = item[field].as_str() {
                item[field] = json!(format!("{}{i:03}", &value[..value.len() - 3]));
            }
        }
        item
    };
    let mut records = vec![];
    for i in 0..100 {
        let mut new = like(&after, i);
        if i == 50 {
            new["status"] = json!("teleported");
        }
        records.push(crate::notifications::record(
            &format!("{:03}", i + 1),
            &like(&before, i),
            &new,
        ));
    }
    let poisoned = "051".to_string();

    // Three calls in ten of every operation throttled, SNS's publishes included (a throttled
    // text fails its record, which Lambda retries from there). As the event source mapping
    // does: retry from the first record reported; a record reported three times running is
    // split off (bisected, then sent to the dead-letter queue).
    proxy.set(json!([rule("*", "*", 10, &[0, 3, 6], "throttle")]));
    let mut rest = records.clone();
    let mut given_up = vec![];
    let (mut last, mut times) = (String::new(), 0);
    for _ in 0..200 {
        let response = portal::fanout::handle_stream(
            w.app.ctx(),
            portal_local::streams::stream_event(rest.clone()),
        )
        .await;
        let Some(failed) = response.batch_item_failures.first() else {
            break;
        };
        let failed = failed.item_identifier.clone().unwrap();
        times = if failed == last { times + 1 } else { 1 };
        last = failed.clone();
        let at = rest
            .iter()
            .position(|r| r.change.sequence_number.as_deref() == Some(failed.as_str()))
            .unwrap();
        rest.drain(..at);
        if times == 3 {
            given_up.push(rest.remove(0).change.sequence_number.unwrap());
            times = 0;
        }
        if rest.is_empty() {
            break;
        }
    }
    assert!(proxy.injected() > 50, "{}", proxy.stats());
    proxy.clear();
    assert_eq!(
        given_up,
        vec![poisoned],
        "only the poisoned record is given up"
    );
    let texts = w.texts().await;
    let mut distinct = texts.clone();
    distinct.dedup();
    assert_eq!(texts.len(), 99, "every other dropoff texted");
    assert_eq!(distinct.len(), 99, "each once");
}
