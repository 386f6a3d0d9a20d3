//! The courier people's email digest of new orders and drafts (issue 19), on both stores:
//! off by default; a person opts in on their account page; the `order-digests` schedule
//! emails them once per ended window the orders and drafts their courier's clients created
//! in it (HTML and text, times in the courier's zone, links to the portal's order pages),
//! nothing when there were none; a retried or repeated run sends nothing twice; another
//! courier's orders are never listed; a person who opted out, or never opted in, gets none.

use portal::digests::DigestReport;
use portal_tests::{on_both_backends, Org, TestApp};
use serde_json::{json, Value};

use crate::teams::courier_signed_in;
use crate::web_pages::{client_with_user, get, post};

on_both_backends!(
    a_person_opts_in_and_gets_one_email_per_window_with_the_new_orders,
    a_retried_run_sends_nothing_twice,
    only_the_persons_courier_orders_are_listed,
    nothing_is_sent_to_a_person_who_is_off_or_opted_out,
);

async fn order(app: &TestApp, client: &Org, recipient: &str, draft: bool) -> Value {
    let created = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                            "recipient": {"name": recipient}},
                "draft": draft
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

async fn run(app: &TestApp) -> DigestReport {
    let ctx = app
        .ctx()
        .wired_for(portal_local::functions::ORDER_DIGESTS.needs);
    portal::digests::run_order_digests(&ctx, app.ctx().now())
        .await
        .unwrap()
}

fn digests_to(app: &TestApp, to: &str) -> Vec<portal::notify::OutgoingEmail> {
    app.emails()
        .into_iter()
        .filter(|e| e.to.as_str() == to && e.subject.contains("new order"))
        .collect()
}

async fn choose(app: &TestApp, cookie: &str, cadence: &str) {
    let saved = post(
        app,
        "/settings/user",
        cookie,
        &[("form", "digest"), ("digest", cadence)],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        saved.header("location"),
        Some("/settings/user?saved=digest")
    );
}

async fn swift_with_rose(app: &TestApp) -> (Org, String, Org) {
    // A second past the hour: each test's windows are whole quarters of an hour.
    app.at_the_start_of_a_window();
    let (courier, cookie) = courier_signed_in(app, "Swift Couriers", "ops@swift.example").await;
    let rose = app
        .onboard_client(&courier, "Rose Florist", "rose@rose.example")
        .await;
    (courier, cookie, rose)
}

async fn a_person_opts_in_and_gets_one_email_per_window_with_the_new_orders(app: TestApp) {
    let (_courier, cookie, rose) = swift_with_rose(&app).await;
    // Off by default, offered in words.
    let page = get(&app, "/settings/user", &cookie).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Order digest"), "{}", page.text);
    assert!(
        page.text
            .contains("<option value=\"off\" selected>Never (off)</option>"),
        "{}",
        page.text
    );
    assert!(page.text.contains(">Every 15 minutes</option>"));
    assert!(page.text.contains(">Every day at 8:00</option>"));
    // A value not offered: the message next to the field, nothing saved.
    let refused = post(
        &app,
        "/settings/user",
        &cookie,
        &[("form", "digest"), ("digest", "weekly")],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused
            .text
            .contains("id=\"digest-error\">Choose one of the choices offered.</p>"),
        "{}",
        refused.text
    );

    choose(&app, &cookie, "every_15_minutes").await;
    let page = get(&app, "/settings/user?saved=digest", &cookie).await;
    assert!(
        page.text.contains("Your order digest setting is saved."),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("<option value=\"every_15_minutes\" selected>Every 15 minutes</option>"),
        "{}",
        page.text
    );

    let placed = order(&app, &rose, "Marie Curie", false).await;
    let draft = order(&app, &rose, "Pierre Curie", true).await;
    let report = run(&app).await;
    assert_eq!(report.due, 0, "the window has not ended: {report:?}");
    assert!(digests_to(&app, "ops@swift.example").is_empty());

    app.clock.advance(chrono::Duration::minutes(15));
    let report = run(&app).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(report.sent[0].to, "ops@swift.example");
    assert_eq!(report.sent[0].orders, 2);
    let emails = digests_to(&app, "ops@swift.example");
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    assert_eq!(
        email.subject,
        "2 new orders (1 of them a draft) for Swift Couriers"
    );
    for id in [&placed["id"], &draft["id"]] {
        let link = format!("/orders/{}", id.as_str().unwrap());
        assert!(email.text.contains(&link), "{}", email.text);
    }
    assert!(!email.text.contains("/v1/"), "{}", email.text);
    assert!(email
        .text
        .contains("Rose Florist · Draft · to Pierre Curie"));
    assert!(email.text.contains("Rose Florist · New · to Marie Curie"));
    assert!(
        email.text.contains("(Europe/Paris time)"),
        "the courier's zone: {}",
        email.text
    );
    assert!(email.text.contains("/settings/user"));
    let html = email.html.as_deref().expect("an HTML part");
    assert!(html.contains("Open the orders"), "{html}");
    assert!(!html.contains("/v1/"));
    assert!(html.contains(&format!("/orders/{}\"", placed["id"].as_str().unwrap())));

    // (The person's session stays open: it ends after 30 minutes without a page.)
    assert_eq!(get(&app, "/orders", &cookie).await.status, 200);
    // The same window again: nothing (it has moved on).
    let again = run(&app).await;
    assert_eq!(again.due, 0, "{again:?}");
    // A window without orders: nothing sent.
    app.clock.advance(chrono::Duration::minutes(15));
    let empty = run(&app).await;
    assert_eq!(empty.due, 1, "{empty:?}");
    assert!(empty.sent.is_empty());
    assert_eq!(get(&app, "/orders", &cookie).await.status, 200);
    // The next order is in the next window, alone.
    let later = order(&app, &rose, "Irène Joliot", false).await;
    app.clock.advance(chrono::Duration::minutes(15));
    let report = run(&app).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(report.sent[0].order_ids, [later["id"].as_str().unwrap()]);
    let emails = digests_to(&app, "ops@swift.example");
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[1].subject, "1 new order for Swift Couriers");

    // Hourly (at a quarter to): the window's start is kept (an order made before the
    // change is in it), its end moves to the hour.
    let hourly = order(&app, &rose, "Ève Curie", true).await;
    choose(&app, &cookie, "hourly").await;
    assert_eq!(run(&app).await.due, 0, "not before the hour");
    app.clock.advance(chrono::Duration::minutes(15));
    let report = run(&app).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(report.sent[0].order_ids, [hourly["id"].as_str().unwrap()]);
}

async fn a_retried_run_sends_nothing_twice(app: TestApp) {
    let (_courier, cookie, rose) = swift_with_rose(&app).await;
    choose(&app, &cookie, "every_15_minutes").await;
    order(&app, &rose, "Marie Curie", false).await;
    app.clock.advance(chrono::Duration::minutes(15));

    // The mail service fails: nothing sent, the window stays for the next run.
    app.recorder.fail_sends(true);
    let ctx = app
        .ctx()
        .wired_for(portal_local::functions::ORDER_DIGESTS.needs);
    assert!(portal::digests::run_order_digests(&ctx, app.ctx().now())
        .await
        .is_err());
    app.recorder.fail_sends(false);
    assert!(digests_to(&app, "ops@swift.example").is_empty());

    // The digest as it was before the run that sends: a run that dies after its email,
    // before moving the window on, leaves it so.
    let due = app
        .store
        .query(
            &portal::store::Query::partition(portal::store::keys::order_digests_shard_pk(
                shard_of_due(&app).await,
            ))
            .on(portal::store::Index::Gsi4),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(due.len(), 1);
    let before = due[0].clone();
    let report = run(&app).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    app.store.put(before, None).await.unwrap();

    // The retry finds the window's marker: nothing more is sent, the window moves on.
    let retried = run(&app).await;
    assert_eq!(retried.due, 1, "{retried:?}");
    assert!(retried.sent.is_empty(), "{retried:?}");
    assert_eq!(digests_to(&app, "ops@swift.example").len(), 1);
    assert_eq!(run(&app).await.due, 0);

    // Two runs at once send one email.
    order(&app, &rose, "Pierre Curie", false).await;
    app.clock.advance(chrono::Duration::minutes(15));
    let (a, b) = tokio::join!(run(&app), run(&app));
    assert_eq!(a.sent.len() + b.sent.len(), 1, "{a:?} {b:?}");
    assert_eq!(digests_to(&app, "ops@swift.example").len(), 2);
}

/// The shard holding the one due digest (a person's shard is a hash of their id).
async fn shard_of_due(app: &TestApp) -> u32 {
    for shard in 0..portal::store::keys::DRAFT_SHARDS {
        let found = app
            .store
            .query(
                &portal::store::Query::partition(portal::store::keys::order_digests_shard_pk(
                    shard,
                ))
                .on(portal::store::Index::Gsi4),
            )
            .await
            .unwrap();
        if !found.items.is_empty() {
            return shard;
        }
    }
    panic!("no digest in the index");
}

async fn only_the_persons_courier_orders_are_listed(app: TestApp) {
    let (_swift, swift_cookie, rose) = swift_with_rose(&app).await;
    let (other, other_cookie) =
        courier_signed_in(&app, "Other Couriers", "ops@other.example").await;
    let tulip = app
        .onboard_client(&other, "Tulip Shop", "tulip@tulip.example")
        .await;
    choose(&app, &swift_cookie, "every_15_minutes").await;
    choose(&app, &other_cookie, "every_15_minutes").await;
    let roses = order(&app, &rose, "Marie Curie", false).await;
    let tulips = order(&app, &tulip, "Ada Lovelace", true).await;
    app.clock.advance(chrono::Duration::minutes(15));
    let report = run(&app).await;
    assert_eq!(report.sent.len(), 2, "{report:?}");
    let of = |to: &str| {
        report
            .sent
            .iter()
            .find(|s| s.to == to)
            .unwrap_or_else(|| panic!("{to}: {report:?}"))
            .order_ids
            .clone()
    };
    assert_eq!(of("ops@swift.example"), [roses["id"].as_str().unwrap()]);
    assert_eq!(of("ops@other.example"), [tulips["id"].as_str().unwrap()]);
    let swift = &digests_to(&app, "ops@swift.example")[0];
    assert!(!swift.text.contains("Tulip Shop"), "{}", swift.text);
    assert!(!swift.text.contains("Ada Lovelace"));
}

async fn nothing_is_sent_to_a_person_who_is_off_or_opted_out(app: TestApp) {
    let (courier, cookie, rose) = swift_with_rose(&app).await;
    // A client's person has no digest: not offered, and a forged form is refused.
    let (_client_id, pia) =
        client_with_user(&app, &courier, "Bloom Florist", "pia@bloom.example").await;
    let page = get(&app, "/settings/user", &pia).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(!page.text.contains("Order digest"));
    let forged = post(
        &app,
        "/settings/user",
        &pia,
        &[("form", "digest"), ("digest", "hourly")],
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.text);

    // Never opted in: nothing.
    order(&app, &rose, "Marie Curie", false).await;
    app.clock.advance(chrono::Duration::minutes(15));
    let report = run(&app).await;
    assert_eq!(report.due, 0, "{report:?}");

    // Opted in, then out before the window ends: nothing, and out of the index.
    choose(&app, &cookie, "every_15_minutes").await;
    order(&app, &rose, "Pierre Curie", true).await;
    choose(&app, &cookie, "off").await;
    let page = get(&app, "/settings/user", &cookie).await;
    assert!(page
        .text
        .contains("<option value=\"off\" selected>Never (off)</option>"));
    app.clock.advance(chrono::Duration::minutes(15));
    let report = run(&app).await;
    assert_eq!(report.due, 0, "{report:?}");
    assert!(digests_to(&app, "ops@swift.example").is_empty());
    assert!(app
        .emails()
        .iter()
        .all(|e| !e.subject.contains("new order")));
}
