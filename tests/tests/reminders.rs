//! Draft reminders with an injected clock, on both stores: one email per client per local
//! day at its local morning, listing its drafts older than its threshold; a draft
//! finalised before the run is not listed; a client in another zone gets its own morning.

use chrono::{DateTime, Utc};
use portal_tests::{on_both_backends, Org, TestApp};
use serde_json::{json, Value};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn draft(app: &TestApp, client: &Org, recipient: &str) -> Value {
    draft_with(app, client, recipient, None).await
}

/// A draft, with the client's own reference (`externalId`) when given.
async fn draft_with(
    app: &TestApp,
    client: &Org,
    recipient: &str,
    reference: Option<&str>,
) -> Value {
    let created = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                            "recipient": {"name": recipient}},
                "externalId": reference,
                "draft": true
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

async fn run(app: &TestApp, now: &str) -> portal::reminders::RunReport {
    app.clock.travel_to(at(now));
    let ctx = app
        .ctx()
        .wired_for(portal_local::functions::DRAFT_REMINDERS.needs);
    portal::reminders::run_draft_reminders(&ctx, app.ctx().now())
        .await
        .unwrap()
}

fn digests_to(app: &TestApp, to: &str) -> Vec<String> {
    app.emails()
        .into_iter()
        .filter(|e| e.to.as_str() == to && e.subject.contains("draft order"))
        .map(|e| e.text)
        .collect()
}

async fn one_digest_a_day_at_each_clients_morning(app: TestApp) {
    // The courier is in Paris; Bloom follows it, Hudson is in New York.
    let courier = app.create_courier("Swift Couriers").await;
    let bloom = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let hudson = app
        .onboard_client(&courier, "Hudson", "orders@hudson.example")
        .await;
    let quiet = app
        .onboard_client(&courier, "Quiet", "orders@quiet.example")
        .await;
    let zoned = app
        .call(
            "PATCH",
            "/v1/settings/organization",
            Some(&hudson.key),
            Some(json!({"timezone": "America/New_York"})),
        )
        .await;
    assert_eq!(zoned.status, 200, "{}", zoned.text);
    let off = app
        .call(
            "PUT",
            "/v1/settings/notifications",
            Some(&quiet.key),
            Some(json!({"draftReminders": {"enabled": false, "afterHours": 24}})),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(
        off.body["draftReminders"],
        json!({"enabled": false, "afterHours": 24})
    );

    // Monday 07:00 in Paris: drafts are saved.
    app.clock.travel_to(at("2026-11-30T06:00:00Z"));
    let kept = draft(&app, &bloom, "Marie Curie").await;
    let referenced = draft_with(&app, &bloom, "Paul Langevin", Some("PO-4471")).await;
    let finalised = draft(&app, &bloom, "Pierre Curie").await;
    draft(&app, &hudson, "Ada Lovelace").await;
    draft(&app, &quiet, "Alan Turing").await;
    // Tuesday 07:00 in Paris, a fresh draft (younger than 24 h at the run).
    app.clock.travel_to(at("2026-12-01T06:00:00Z"));
    let young = draft(&app, &bloom, "Irène Joliot").await;
    let id = finalised["id"].as_str().unwrap();
    let placed = app
        .call(
            "POST",
            &format!("/v1/orders/{id}/finalize"),
            Some(&bloom.key),
            None,
        )
        .await;
    assert_eq!(placed.status, 200, "{}", placed.text);

    // Tuesday 08:30 in Paris (02:30 in New York): Bloom's morning only.
    let first = run(&app, "2026-12-01T07:30:00Z").await;
    assert_eq!(first.sent.len(), 1, "{first:?}");
    let mails = digests_to(&app, "orders@bloom.example");
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains(kept["shortId"].as_str().unwrap()),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("Marie Curie"));
    assert!(mails[0].contains("25 h"), "{}", mails[0]);
    // Each draft by the client's own reference, else its short id; the link opens the
    // portal's drafts page, and no email names an API URL.
    assert!(mails[0].contains("PO-4471 · Paul Langevin"), "{}", mails[0]);
    assert!(
        !mails[0].contains(referenced["shortId"].as_str().unwrap()),
        "{}",
        mails[0]
    );
    assert!(
        mails[0].contains("https://portal.test/drafts"),
        "{}",
        mails[0]
    );
    assert!(!mails[0].contains("/v1"), "{}", mails[0]);
    // The same as HTML, with the plain text alongside.
    let html = app
        .last_email_to("orders@bloom.example")
        .html
        .expect("an HTML part");
    assert!(
        html.contains(r#"href="https://portal.test/drafts""#),
        "{html}"
    );
    assert!(
        html.contains("PO-4471") && html.contains("Paul Langevin"),
        "{html}"
    );
    assert!(html.contains(kept["shortId"].as_str().unwrap()), "{html}");
    assert!(!html.contains("/v1"), "{html}");
    assert!(
        !mails[0].contains(finalised["shortId"].as_str().unwrap()),
        "finalised before the run"
    );
    assert!(
        !mails[0].contains(young["shortId"].as_str().unwrap()),
        "younger than 24 h"
    );
    assert!(digests_to(&app, "orders@hudson.example").is_empty());

    // The schedule fires again (twice) the same morning: nothing more.
    run(&app, "2026-12-01T07:30:00Z").await;
    let later = run(&app, "2026-12-01T08:30:00Z").await;
    assert!(later.sent.is_empty(), "{later:?}");
    assert_eq!(digests_to(&app, "orders@bloom.example").len(), 1);

    // 08:30 in New York (14:30 in Paris): Hudson's morning.
    let american = run(&app, "2026-12-01T13:30:00Z").await;
    assert_eq!(american.sent.len(), 1, "{american:?}");
    assert_eq!(digests_to(&app, "orders@hudson.example").len(), 1);
    assert!(digests_to(&app, "orders@hudson.example")[0].contains("Ada Lovelace"));
    assert_eq!(digests_to(&app, "orders@bloom.example").len(), 1);

    // Wednesday morning in Paris: a new local day, a new digest (with the younger draft).
    run(&app, "2026-12-02T07:30:00Z").await;
    let mails = digests_to(&app, "orders@bloom.example");
    assert_eq!(mails.len(), 2);
    assert!(mails[1].contains(young["shortId"].as_str().unwrap()));
    // Reminders off: never.
    assert!(digests_to(&app, "orders@quiet.example").is_empty());
}

/// More drafts than one page of the index, for two clients: every draft is listed in its
/// client's digest, read one page at a time and one client at a time.
async fn drafts_are_read_a_page_and_a_client_at_a_time(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let bloom = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let hudson = app
        .onboard_client(&courier, "Hudson", "orders@hudson.example")
        .await;
    app.clock.travel_to(at("2026-11-30T06:00:00Z"));
    let mut shorts = Vec::new();
    for n in 0..23 {
        let d = draft(&app, &bloom, &format!("Recipient {n}")).await;
        shorts.push(d["shortId"].as_str().unwrap().to_string());
    }
    for n in 0..4 {
        draft(&app, &hudson, &format!("Other {n}")).await;
    }
    // Tuesday 08:30 in Paris, pages of 5 drafts.
    app.clock.travel_to(at("2026-12-01T07:30:00Z"));
    let ctx = app
        .ctx()
        .wired_for(portal_local::functions::DRAFT_REMINDERS.needs);
    let report = portal::reminders::run_draft_reminders_paged(&ctx, app.ctx().now(), 5)
        .await
        .unwrap();
    assert_eq!(report.drafts, 27, "{report:?}");
    // 16 shards, Bloom's 23 drafts alone take 5 pages.
    assert!(report.pages >= 16 + 4, "{report:?}");
    // Never more than one client's drafts and a page.
    assert!(report.most_held <= 23 + 5, "{report:?}");
    assert_eq!(report.sent.len(), 2, "{report:?}");
    let mails = digests_to(&app, "orders@bloom.example");
    assert_eq!(mails.len(), 1);
    for short in &shorts {
        assert!(mails[0].contains(short.as_str()), "{short}: {}", mails[0]);
    }
    assert!(mails[0].contains("23 of your draft orders"), "{}", mails[0]);
    let other = digests_to(&app, "orders@hudson.example");
    assert_eq!(other.len(), 1);
    assert!(other[0].contains("4 of your draft orders"), "{}", other[0]);
}

on_both_backends!(
    one_digest_a_day_at_each_clients_morning,
    drafts_are_read_a_page_and_a_client_at_a_time
);
