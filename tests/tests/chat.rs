//! Chat between a client's people and its courier's, on both stores: one conversation per
//! client, read oldest to newest and paginated backwards; messages checked (1–2,000
//! characters, an order of that client); a courier names the client, another courier's is
//! not found; unread counts per reader, cleared when read; an `Idempotency-Key` replays;
//! the courier's conversations, most recent first; a message left unread for 15 minutes
//! emails the other side once per conversation, with a link to it.

use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::teams::courier_signed_in;
use crate::web_pages::{client_with_user, get, post};

on_both_backends!(
    a_client_and_its_courier_chat_oldest_to_newest_paginated_backwards,
    a_message_is_checked_and_the_conversation_is_the_readers_own,
    unread_counts_are_per_reader_and_clear_when_read,
    an_idempotency_key_replays_the_first_answer,
    a_message_unread_for_15_minutes_emails_the_other_side_once,
    two_people_chat_through_the_pages_without_javascript,
    the_order_page_asks_about_the_order,
    every_signed_in_pages_navigation_counts_the_unread_messages,
    a_deleted_clients_conversation_is_no_longer_listed,
);

pub(crate) async fn say(app: &TestApp, key: &str, body: Value) -> TestResponse {
    app.post("/v1/chat/messages", key, body).await
}

fn texts(listed: &TestResponse) -> Vec<&str> {
    listed.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", listed.text))
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect()
}

async fn courier_and_client(app: &TestApp) -> (Org, Org) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Rose Florist", "rose@rose.example")
        .await;
    (courier, client)
}

async fn a_client_and_its_courier_chat_oldest_to_newest_paginated_backwards(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    let first = say(
        &app,
        &client.key,
        json!({"text": "  Hello, is the van late?  "}),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["text"], "Hello, is the van late?");
    assert!(first.body["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(first.body["clientId"], json!(client.id));
    assert_eq!(first.body["author"]["organisation"]["kind"], "client");
    assert_eq!(first.body["author"]["organisation"]["name"], "Rose Florist");
    assert!(first.body["createdAt"].as_str().is_some());

    let reply = say(
        &app,
        &courier.key,
        json!({"clientId": client.id, "text": "Ten minutes away."}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["author"]["organisation"]["kind"], "courier");
    assert_eq!(
        reply.body["author"]["organisation"]["name"],
        "Swift Couriers"
    );
    for text in ["Thanks", "Found it", "Bye"] {
        let said = say(&app, &client.key, json!({ "text": text })).await;
        assert_eq!(said.status, 201, "{}", said.text);
    }

    // Both sides read the same conversation, oldest to newest.
    let all = [
        "Hello, is the van late?",
        "Ten minutes away.",
        "Thanks",
        "Found it",
        "Bye",
    ];
    assert_eq!(texts(&app.get("/v1/chat/messages", &client.key).await), all);
    let by_courier = app
        .get(
            &format!("/v1/chat/messages?clientId={}", client.id),
            &courier.key,
        )
        .await;
    assert_eq!(texts(&by_courier), all);

    // Paginated backwards: the newest page first, then the older ones before it.
    let newest = app.get("/v1/chat/messages?limit=2", &client.key).await;
    assert_eq!(texts(&newest), ["Found it", "Bye"]);
    let cursor = newest.body["nextCursor"].as_str().unwrap();
    let older = app
        .get(
            &format!("/v1/chat/messages?limit=2&cursor={cursor}"),
            &client.key,
        )
        .await;
    assert_eq!(texts(&older), ["Ten minutes away.", "Thanks"]);
    let cursor = older.body["nextCursor"].as_str().unwrap();
    let oldest = app
        .get(
            &format!("/v1/chat/messages?limit=2&cursor={cursor}"),
            &client.key,
        )
        .await;
    assert_eq!(texts(&oldest), ["Hello, is the van late?"]);
    assert!(oldest.body.get("nextCursor").is_none(), "{}", oldest.text);

    // The courier's conversations: the most recent first, with the last message.
    let other = app
        .onboard_client(&courier, "Petal Shop", "petal@petal.example")
        .await;
    say(&app, &other.key, json!({"text": "Hi from Petal"})).await;
    let conversations = app.get("/v1/chat/conversations", &courier.key).await;
    assert_eq!(conversations.status, 200, "{}", conversations.text);
    let items = conversations.body["items"].as_array().unwrap();
    let names: Vec<&str> = items
        .iter()
        .map(|c| c["clientName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Petal Shop", "Rose Florist"]);
    assert_eq!(items[0]["lastMessage"]["text"], "Hi from Petal");
    assert_eq!(items[1]["lastMessage"]["text"], "Bye");
    let page = app
        .get("/v1/chat/conversations?limit=1", &courier.key)
        .await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    let cursor = page.body["nextCursor"].as_str().unwrap();
    let next = app
        .get(
            &format!("/v1/chat/conversations?limit=1&cursor={cursor}"),
            &courier.key,
        )
        .await;
    assert_eq!(next.body["items"][0]["clientName"], "Rose Florist");
}

async fn a_message_is_checked_and_the_conversation_is_the_readers_own(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    let blank = say(&app, &client.key, json!({"text": "   "})).await;
    assert_eq!(
        (blank.status, blank.error_field()),
        (422, "text"),
        "{}",
        blank.text
    );
    let long = say(&app, &client.key, json!({"text": "x".repeat(2_001)})).await;
    assert_eq!(
        (long.status, long.error_code(), long.error_field()),
        (422, "too_long", "text"),
        "{}",
        long.text
    );
    let longest = say(&app, &client.key, json!({"text": "é".repeat(2_000)})).await;
    assert_eq!(longest.status, 201, "{}", longest.text);
    let missing = app.post("/v1/chat/messages", &client.key, json!({})).await;
    assert_eq!(missing.status, 422, "{}", missing.text);

    // About an order: one of this client's orders only.
    let order = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69002", "country": "FR"}},
                "dropoff": {"address": {"line1": "2 Rue Neuve", "city": "Lyon", "postalCode": "69001", "country": "FR"}},
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let order_id = order.body["id"].as_str().unwrap();
    let about = say(
        &app,
        &client.key,
        json!({"text": "Where is it?", "orderId": order_id}),
    )
    .await;
    assert_eq!(about.status, 201, "{}", about.text);
    assert_eq!(about.body["orderId"], json!(order_id));
    let other = app
        .onboard_client(&courier, "Petal Shop", "petal@petal.example")
        .await;
    let not_theirs = say(
        &app,
        &other.key,
        json!({"text": "Where is it?", "orderId": order_id}),
    )
    .await;
    assert_eq!(
        (not_theirs.status, not_theirs.error_field()),
        (422, "orderId"),
        "{}",
        not_theirs.text
    );
    let nonsense = say(
        &app,
        &client.key,
        json!({"text": "Where?", "orderId": "ord_nope"}),
    )
    .await;
    assert_eq!((nonsense.status, nonsense.error_field()), (422, "orderId"));

    // A courier names the client; another courier's client is not found.
    let unnamed = say(&app, &courier.key, json!({"text": "Hello"})).await;
    assert_eq!(
        (unnamed.status, unnamed.error_code(), unnamed.error_field()),
        (422, "missing_field", "clientId")
    );
    let rival = app.create_courier("Rival Couriers").await;
    let theirs = say(
        &app,
        &rival.key,
        json!({"clientId": client.id, "text": "Hello"}),
    )
    .await;
    assert_eq!(theirs.status, 404, "{}", theirs.text);
    let read_theirs = app
        .get(
            &format!("/v1/chat/messages?clientId={}", client.id),
            &rival.key,
        )
        .await;
    assert_eq!(read_theirs.status, 404, "{}", read_theirs.text);
    assert!(texts(&app.get("/v1/chat/conversations", &rival.key).await).is_empty());
    // A client reads its own conversation only, and has no list of conversations.
    let another = app
        .get(
            &format!("/v1/chat/messages?clientId={}", other.id),
            &client.key,
        )
        .await;
    assert_eq!(another.status, 404, "{}", another.text);
    let own = app
        .get(
            &format!("/v1/chat/messages?clientId={}", client.id),
            &client.key,
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(
        texts(&app.get("/v1/chat/messages", &other.key).await),
        [] as [&str; 0]
    );
    let listing = app.get("/v1/chat/conversations", &client.key).await;
    assert_eq!(listing.status, 403, "{}", listing.text);
    let unknown = app
        .post(
            "/v1/chat/messages",
            &client.key,
            json!({"text": "hi", "colour": "red"}),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
}

async fn unread_counts_are_per_reader_and_clear_when_read(app: TestApp) {
    let (courier, client) = courier_and_client(&app).await;
    let second = app
        .post("/v1/api-keys", &courier.key, json!({"label": "Dispatch"}))
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    let second = second.body["key"].as_str().unwrap().to_string();
    let unread = |listed: &TestResponse| listed.body["items"][0]["unread"].as_u64().unwrap();

    say(&app, &client.key, json!({"text": "One"})).await;
    say(&app, &client.key, json!({"text": "Two"})).await;
    let first_view = app.get("/v1/chat/conversations", &courier.key).await;
    assert_eq!(unread(&first_view), 2, "{}", first_view.text);
    assert_eq!(unread(&app.get("/v1/chat/conversations", &second).await), 2);

    // Reading clears the reader's count, not the other reader's.
    let read = app
        .get(
            &format!("/v1/chat/messages?clientId={}", client.id),
            &courier.key,
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(
        unread(&app.get("/v1/chat/conversations", &courier.key).await),
        0
    );
    assert_eq!(unread(&app.get("/v1/chat/conversations", &second).await), 2);
    // The second key's reply (it has read the conversation to answer) is named after it;
    // the client's new message counts again for both.
    let reply = say(
        &app,
        &second,
        json!({"clientId": client.id, "text": "Noted"}),
    )
    .await;
    assert_eq!(reply.body["author"]["name"], "Dispatch", "{}", reply.text);
    assert!(reply.body["author"]["id"]
        .as_str()
        .unwrap()
        .starts_with("key_"));
    assert_eq!(unread(&app.get("/v1/chat/conversations", &second).await), 0);
    say(&app, &client.key, json!({"text": "Three"})).await;
    assert_eq!(
        unread(&app.get("/v1/chat/conversations", &courier.key).await),
        1
    );
    assert_eq!(unread(&app.get("/v1/chat/conversations", &second).await), 1);
    // A page of older messages does not mark anything read.
    let newest = app
        .get(
            &format!("/v1/chat/messages?clientId={}&limit=1", client.id),
            &second,
        )
        .await;
    let cursor = newest.body["nextCursor"].as_str().unwrap();
    app.get(
        &format!(
            "/v1/chat/messages?clientId={}&limit=1&cursor={cursor}",
            client.id
        ),
        &courier.key,
    )
    .await;
    assert_eq!(
        unread(&app.get("/v1/chat/conversations", &courier.key).await),
        1
    );
}

async fn an_idempotency_key_replays_the_first_answer(app: TestApp) {
    let (_courier, client) = courier_and_client(&app).await;
    let send = |text: &'static str| {
        let key = client.key.clone();
        let app = &app;
        async move {
            let body = json!({ "text": text });
            app.raw(
                "POST",
                "/v1/chat/messages",
                &[
                    ("authorization", format!("Bearer {key}").as_str()),
                    ("content-type", "application/json"),
                    ("idempotency-key", "retry-42"),
                ],
                body.to_string().into(),
            )
            .await
        }
    };
    let first = send("Once only").await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = send("Once only").await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    let listed = app.get("/v1/chat/messages", &client.key).await;
    assert_eq!(texts(&listed), ["Once only"]);
    let reused = send("Something else").await;
    assert_eq!(
        (reused.status, reused.error_code()),
        (422, "idempotency_key_reused"),
        "{}",
        reused.text
    );
}

async fn a_message_unread_for_15_minutes_emails_the_other_side_once(app: TestApp) {
    let (courier, _cookie) = courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (client_id, client_cookie) =
        client_with_user(&app, &courier, "Rose Florist", "pia@rose.example").await;
    // Pia, as her pages see her (her session would expire as the clock moves on).
    let pia = person(&app, &client_cookie).await;
    let run = |app: &TestApp| {
        let ctx = app
            .ctx()
            .wired_for(portal_local::functions::CHAT_NOTICES.needs);
        let now = app.ctx().now();
        async move { portal::chat::notices::run_chat_notices(&ctx, now).await }
    };
    let to_courier = |app: &TestApp| {
        app.emails()
            .into_iter()
            .filter(|e| e.to.as_str() == "ops@swift.example" && e.subject.contains("message"))
            .count()
    };
    // The courier writes twice; nobody at the client reads.
    for text in ["Your parcel is here", "Shall we leave it next door?"] {
        let said = say(
            &app,
            &courier.key,
            json!({"clientId": client_id, "text": text}),
        )
        .await;
        assert_eq!(said.status, 201, "{}", said.text);
    }
    let report = run(&app).await.unwrap();
    assert!(report.sent.is_empty(), "not due yet: {report:?}");
    app.clock.advance(chrono::Duration::minutes(16));
    let report = run(&app).await.unwrap();
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(report.sent[0].to, ["pia@rose.example"]);
    let email = app.last_email_to("pia@rose.example");
    assert_eq!(email.subject, "New message from Swift Couriers");
    assert!(
        email.text.contains("> Your parcel is here"),
        "{}",
        email.text
    );
    assert!(email.text.contains("/messages"), "{}", email.text);
    let html = email.html.expect("an HTML part");
    assert!(html.contains("Read and reply"), "{html}");
    assert!(
        html.contains("Swift Couriers · Rose Florist"),
        "headed with the courier"
    );
    assert!(
        email.text.ends_with("— Swift Couriers · Rose Florist\n"),
        "{}",
        email.text
    );
    // Once per conversation, not per message: another message and run send nothing more.
    say(
        &app,
        &courier.key,
        json!({"clientId": client_id, "text": "Left it next door."}),
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(16));
    assert!(run(&app).await.unwrap().sent.is_empty());

    // Pia reads the conversation: a later message may email again. Her answer, read by
    // the courier within 15 minutes, emails nobody.
    let read = portal::chat::list_messages(app.ctx(), &pia, None, 50, None)
        .await
        .unwrap();
    assert_eq!(read.unread, 3);
    assert_eq!(read.messages.len(), 3);
    say(
        &app,
        &courier.key,
        json!({"clientId": client_id, "text": "Anything else?"}),
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(run(&app).await.unwrap().sent.len(), 1);
    let before = to_courier(&app);
    let answer = portal::chat::post_message(
        app.ctx(),
        portal::chat::PostMessage {
            by: &pia,
            client_id: None,
            text: "No, thanks!",
            order_id: None,
            idempotency: None,
        },
    )
    .await
    .unwrap();
    let portal::chat::Posted::Message(answer) = answer else {
        panic!("a new message")
    };
    assert_eq!(answer.author.name, "Pia");
    assert!(answer.author.id.starts_with("usr_"), "{:?}", answer.author);
    app.get(
        &format!("/v1/chat/messages?clientId={client_id}"),
        &courier.key,
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(16));
    assert!(run(&app).await.unwrap().sent.is_empty());
    assert_eq!(to_courier(&app), before);
    // Unread by the courier's side: its person is emailed, with a link to the conversation.
    portal::chat::post_message(
        app.ctx(),
        portal::chat::PostMessage {
            by: &pia,
            client_id: None,
            text: "Actually, one more thing",
            order_id: None,
            idempotency: None,
        },
    )
    .await
    .unwrap();
    app.clock.advance(chrono::Duration::minutes(16));
    let report = run(&app).await.unwrap();
    assert_eq!(report.sent.len(), 1, "{report:?}");
    let email = app.last_email_to("ops@swift.example");
    assert_eq!(email.subject, "New message from Rose Florist");
    assert!(
        email.text.contains(&format!("/messages/{client_id}")),
        "{}",
        email.text
    );
}

/// The signed-in person of a session cookie, as the pages see them.
pub(crate) async fn person(app: &TestApp, cookie: &str) -> portal::domain::api_key::Principal {
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    portal::accounts::session::resolve(app.ctx(), &headers)
        .await
        .unwrap()
        .expect("signed in")
}

async fn two_people_chat_through_the_pages_without_javascript(app: TestApp) {
    let (courier, courier_cookie) =
        courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (client_id, pia) =
        client_with_user(&app, &courier, "Rose Florist", "pia@rose.example").await;

    let empty = get(&app, "/messages", &pia).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(
        empty.text.contains("Messages with Swift Couriers"),
        "{}",
        empty.text
    );
    assert!(empty.text.contains("No messages yet"));
    assert!(empty.text.contains("<a href=\"/messages\">Messages</a>"));

    // A form post, then the reload shows it, escaped, line breaks kept.
    let sent = post(
        &app,
        "/messages",
        &pia,
        &[
            ("text", "<script>alert(1)</script>\r\nSecond line"),
            ("orderId", ""),
        ],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    assert_eq!(sent.header("location"), Some("/messages#latest"));
    let shown = get(&app, "/messages", &pia).await;
    assert!(
        shown
            .text
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;\nSecond line"),
        "{}",
        shown.text
    );
    assert!(!shown.text.contains("<script>alert(1)"));
    assert!(shown.text.contains("<strong>Pia</strong> · Rose Florist"));
    assert!(shown.text.contains("id=\"latest\""));

    // Refused: the message next to the field, what was written kept.
    let blank = post(&app, "/messages", &pia, &[("text", "  ")]).await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    assert!(
        blank
            .text
            .contains("id=\"text-error\">Write a message first.</p>"),
        "{}",
        blank.text
    );
    assert!(blank.text.contains("aria-invalid=\"true\""));
    let long = "x".repeat(2_001);
    let too_long = post(&app, "/messages", &pia, &[("text", long.as_str())]).await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long
            .text
            .contains("A message is at most 2000 characters."),
        "{}",
        too_long.text
    );
    assert!(too_long.text.contains(&long), "the text is kept");

    // The courier's people: the conversations with unread counts, then the panel.
    let listed = get(&app, "/messages", &courier_cookie).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert!(listed.text.contains(&format!("href=\"/messages/{client_id}#latest\"><strong>Rose Florist</strong></a> <span class=\"count\">1<span class=\"skip\"> unread</span>")), "{}", listed.text);
    let orders = get(&app, "/orders", &courier_cookie).await;
    assert!(
        orders.text.contains("Messages <span class=\"count\">1"),
        "the navigation's count"
    );
    let panel = get(&app, &format!("/messages/{client_id}"), &courier_cookie).await;
    assert_eq!(panel.status, 200, "{}", panel.text);
    assert!(panel.text.contains("Messages with Rose Florist"));
    assert!(panel.text.contains("Second line"));
    assert!(panel
        .text
        .contains(&format!("name=\"clientId\" value=\"{client_id}\"")));
    let read = get(&app, "/messages", &courier_cookie).await;
    assert!(
        !read.text.contains("class=\"count\""),
        "read: {}",
        read.text
    );
    let answered = post(
        &app,
        "/messages",
        &courier_cookie,
        &[("clientId", client_id.as_str()), ("text", "On our way")],
    )
    .await;
    assert_eq!(answered.status, 303, "{}", answered.text);
    assert_eq!(
        answered.header("location"),
        Some(format!("/messages/{client_id}#latest").as_str())
    );
    // Pia sees the count on her orders page, then the answer; the count clears.
    let landing = get(&app, "/orders", &pia).await;
    assert!(
        landing.text.contains("Messages <span class=\"count\">1"),
        "{}",
        landing.text
    );
    let answer = get(&app, "/messages", &pia).await;
    assert!(answer.text.contains("On our way"));
    assert!(
        answer.text.contains("<strong>Ops") || answer.text.contains("· Swift Couriers ·"),
        "{}",
        answer.text
    );
    assert!(!get(&app, "/orders", &pia)
        .await
        .text
        .contains("class=\"count\""));

    // Another courier's person finds nothing; a client's person has no client panel.
    let (_rival, rival_cookie) =
        courier_signed_in(&app, "Rival Couriers", "ops@rival.example").await;
    let theirs = get(&app, &format!("/messages/{client_id}"), &rival_cookie).await;
    assert_eq!(theirs.status, 404);
    let smuggled = post(
        &app,
        "/messages",
        &rival_cookie,
        &[("clientId", client_id.as_str()), ("text", "Hello")],
    )
    .await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(
        get(&app, &format!("/messages/{client_id}"), &pia)
            .await
            .status,
        404
    );
}

async fn the_order_page_asks_about_the_order(app: TestApp) {
    let (courier, courier_cookie) =
        courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (client_id, pia) =
        client_with_user(&app, &courier, "Rose Florist", "pia@rose.example").await;
    let order = app
        .post(
            "/v1/orders",
            &courier.key,
            json!({
                "clientId": client_id,
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69002", "country": "FR"}},
                "dropoff": {"address": {"line1": "2 Rue Neuve", "city": "Lyon", "postalCode": "69001", "country": "FR"}},
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let (id, short) = (
        order.body["id"].as_str().unwrap(),
        order.body["shortId"].as_str().unwrap(),
    );
    let page = get(&app, &format!("/orders/{id}"), &pia).await;
    let link = format!("/messages?orderId={id}#message-form");
    assert!(
        page.text
            .contains(&format!("<a href=\"{link}\">Ask about this order</a>")),
        "{}",
        page.text
    );
    let form = get(&app, &format!("/messages?orderId={id}"), &pia).await;
    assert!(
        form.text
            .contains(&format!("name=\"orderId\" value=\"{id}\"")),
        "{}",
        form.text
    );
    assert!(form
        .text
        .contains(&format!("About order <a href=\"/orders/{id}\">{short}</a>")));
    let sent = post(
        &app,
        "/messages",
        &pia,
        &[("orderId", id), ("text", "Can it come before noon?")],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let courier_page = get(&app, &format!("/orders/{id}"), &courier_cookie).await;
    assert!(courier_page
        .text
        .contains(&format!("/messages/{client_id}?orderId={id}#message-form")));
    let panel = get(&app, &format!("/messages/{client_id}"), &courier_cookie).await;
    assert!(
        panel
            .text
            .contains(&format!("About order <a href=\"/orders/{id}\">{short}</a>")),
        "{}",
        panel.text
    );
    // Another client's order is not pre-filled, and not taken.
    let (_other, petal) = client_with_user(&app, &courier, "Petal Shop", "sam@petal.example").await;
    let foreign = get(&app, &format!("/messages?orderId={id}"), &petal).await;
    assert!(!foreign.text.contains("name=\"orderId\""));
    let refused = post(
        &app,
        "/messages",
        &petal,
        &[("orderId", id), ("text", "Mine?")],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("id=\"order-error\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("Mine?"));
}

fn nav_count(page: &TestResponse) -> Option<u64> {
    let nav = &page.text[page.text.find("<nav aria-label=\"Main\">")?..];
    let nav = &nav[..nav.find("</nav>")?];
    let count = nav.split("<span class=\"count\">").nth(1)?;
    count.split('<').next()?.parse().ok()
}

async fn every_signed_in_pages_navigation_counts_the_unread_messages(app: TestApp) {
    let (courier, ops) = courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (client_id, pia) =
        client_with_user(&app, &courier, "Rose Florist", "pia@rose.example").await;
    for text in ["Your parcel is here", "Shall we leave it next door?"] {
        let said = say(
            &app,
            &courier.key,
            json!({"clientId": client_id, "text": text}),
        )
        .await;
        assert_eq!(said.status, 201, "{}", said.text);
    }
    // Pia's pages, whichever she opens (not only the orders and messages pages).
    for uri in [
        "/orders",
        "/settings/user",
        "/drafts",
        "/imports",
        "/orders/new",
    ] {
        let page = get(&app, uri, &pia).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.text);
        assert_eq!(nav_count(&page), Some(2), "{uri}: {}", page.text);
    }
    // Read: gone everywhere.
    assert_eq!(get(&app, "/messages", &pia).await.status, 200);
    for uri in ["/settings/user", "/drafts"] {
        assert_eq!(nav_count(&get(&app, uri, &pia).await), None, "{uri}");
    }
    // Her answer counts for the courier's person on their pages; reading clears it.
    let sent = post(&app, "/messages", &pia, &[("text", "Yes please")]).await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    for uri in ["/clients", "/settings/user", "/services", "/orders"] {
        let page = get(&app, uri, &ops).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.text);
        assert_eq!(nav_count(&page), Some(1), "{uri}: {}", page.text);
    }
    assert_eq!(nav_count(&get(&app, "/messages", &ops).await), Some(1));
    assert_eq!(
        get(&app, &format!("/messages/{client_id}"), &ops)
            .await
            .status,
        200
    );
    assert_eq!(nav_count(&get(&app, "/clients", &ops).await), None);
    // The courier answers: its own message is not unread for it, one more for Pia.
    let answer = post(
        &app,
        "/messages",
        &ops,
        &[("clientId", client_id.as_str()), ("text", "Done")],
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    assert_eq!(nav_count(&get(&app, "/clients", &ops).await), None);
    assert_eq!(nav_count(&get(&app, "/settings/user", &pia).await), Some(1));
}

async fn a_deleted_clients_conversation_is_no_longer_listed(app: TestApp) {
    let (courier, ops) = courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let rose = app
        .onboard_client(&courier, "Rose Florist", "rose@rose.example")
        .await;
    let tulip = app
        .onboard_client(&courier, "Tulip Shop", "tulip@tulip.example")
        .await;
    for client in [&rose, &tulip] {
        let said = say(&app, &client.key, json!({"text": "Hello"})).await;
        assert_eq!(said.status, 201, "{}", said.text);
    }
    let listed = app.get("/v1/chat/conversations", &courier.key).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(nav_count(&get(&app, "/clients", &ops).await), Some(2));

    let deleted = app
        .call(
            "DELETE",
            &format!("/v1/clients/{}", rose.id),
            Some(&courier.key),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let listed = app.get("/v1/chat/conversations", &courier.key).await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", listed.text);
    assert_eq!(items[0]["clientId"], json!(tulip.id));
    let page = get(&app, "/messages", &ops).await;
    assert!(!page.text.contains("Rose Florist"), "{}", page.text);
    assert!(page.text.contains("Tulip Shop"));
    // Its message no longer counts in the navigation; deleting again changes nothing.
    assert_eq!(nav_count(&page), Some(1), "{}", page.text);
    let again = app
        .call(
            "DELETE",
            &format!("/v1/clients/{}", rose.id),
            Some(&courier.key),
            None,
        )
        .await;
    assert!(again.status < 300, "{}", again.text);
    assert_eq!(nav_count(&get(&app, "/clients", &ops).await), Some(1));
}
