//! Draft reminders (the hourly `draft-reminders` function): each client whose drafts have
//! waited longer than its `draftReminders.afterHours` gets one email a day, in its local
//! morning, listing them. Drafts are read from the sparse, sharded index of drafts (GSI4,
//! sorted by client within a shard), a page at a time and one client at a time, so a run
//! costs what the drafts cost, whatever the number of orders, and never holds every
//! tenant's drafts; one digest per client and local day is kept by a conditional write
//! before the email is sent.

use askama::Template;
use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::json;

use crate::clock::timestamp;
use crate::domain::client::{Client, ClientStatus};
use crate::domain::courier::Courier;
use crate::domain::order::Order;
use crate::needs::NotWired;
use crate::notify::OutgoingEmail;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Index, Query, StoreError, PK};
use crate::Ctx;

/// The local hours a digest may go out in: from 08:00, and until noon for a late run.
pub const MORNING: std::ops::Range<u32> = 8..12;
/// How long a digest marker is kept (one local day, in any zone, is over by then).
const MARKER_HOURS: i64 = 72;
/// The shortest `afterHours`: younger drafts are never read.
const MIN_AFTER_HOURS: i64 = 1;

/// Drafts read per Query page of the drafts index.
pub const PAGE: u32 = 100;
/// Order ids kept on a digest's marker (an item holds at most 400 KB).
const MARKER_ORDER_IDS: usize = 100;

/// What one run did, per client.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub at: String,
    /// Drafts read from the index (old enough to be reminded of).
    pub drafts: usize,
    /// Query pages read.
    pub pages: usize,
    /// The most drafts held in memory at once (one client's, plus a page).
    pub most_held: usize,
    /// Clients emailed, with the orders listed.
    pub sent: Vec<Sent>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    pub client_id: String,
    pub to: String,
    pub order_ids: Vec<String>,
}

/// Runs the reminders as of `at` (the schedule's time, or a local trigger's).
pub async fn run_draft_reminders(ctx: &Ctx, at: DateTime<Utc>) -> Result<RunReport, ReminderError> {
    run_draft_reminders_paged(ctx, at, PAGE).await
}

/// The drafts of one client, gathered while a shard is read.
struct ClientDrafts {
    courier_id: String,
    client_id: String,
    orders: Vec<Order>,
}

/// [`run_draft_reminders`], reading `page` drafts per Query. Each shard of the drafts index
/// is read in pages, sorted by client: a client's drafts are gathered, reminded of, then
/// dropped before the next client's, so a run never holds more than one client's drafts.
pub async fn run_draft_reminders_paged(
    ctx: &Ctx,
    at: DateTime<Utc>,
    page: u32,
) -> Result<RunReport, ReminderError> {
    let before = timestamp(at - Duration::hours(MIN_AFTER_HOURS));
    let mut report = RunReport {
        at: timestamp(at),
        ..Default::default()
    };
    for shard in 0..keys::DRAFT_SHARDS {
        let mut query = Query::partition(keys::drafts_shard_pk(shard))
            .on(Index::Gsi4)
            .limit(page.max(1));
        let mut current: Option<ClientDrafts> = None;
        loop {
            let found = ctx.store.query(&query).await?;
            report.pages += 1;
            let held = current.as_ref().map_or(0, |c| c.orders.len()) + found.items.len();
            report.most_held = report.most_held.max(held);
            for item in found.items {
                let order: Order = from_item(item)?;
                // Younger drafts are never reminded of.
                if order.created_at > before {
                    continue;
                }
                report.drafts += 1;
                if current
                    .as_ref()
                    .is_some_and(|c| c.client_id != order.client_id.as_str())
                {
                    if let Some(done) = current.take() {
                        remind_client(ctx, at, done, &mut report).await?;
                    }
                }
                current
                    .get_or_insert_with(|| ClientDrafts {
                        courier_id: order.courier_id.to_string(),
                        client_id: order.client_id.to_string(),
                        orders: Vec::new(),
                    })
                    .orders
                    .push(order);
            }
            match found.last_key {
                Some(last) => query = query.start_after(Some(last)),
                None => break,
            }
        }
        if let Some(done) = current.take() {
            remind_client(ctx, at, done, &mut report).await?;
        }
    }
    Ok(report)
}

/// One client's digest, with its client and courier read (one BatchGetItem).
async fn remind_client(
    ctx: &Ctx,
    at: DateTime<Utc>,
    drafts: ClientDrafts,
    report: &mut RunReport,
) -> Result<(), ReminderError> {
    let wanted = [
        keys::client(&drafts.courier_id, &drafts.client_id),
        keys::courier(&drafts.courier_id),
    ];
    let mut found = ctx.store.batch_get(&wanted).await?.into_iter();
    let Some(client) = found
        .next()
        .flatten()
        .map(from_item::<Client>)
        .transpose()?
    else {
        return Ok(());
    };
    let courier = found
        .next()
        .flatten()
        .map(from_item::<Courier>)
        .transpose()?;
    if let Some(sent) = remind(ctx, at, &client, courier.as_ref(), drafts.orders).await? {
        report.sent.push(sent);
    }
    Ok(())
}

/// The client's zone: its organisation's, its notification settings', else its courier's.
fn zone(client: &Client, courier: Option<&Courier>) -> Tz {
    client
        .own_timezone()
        .map(|t| t.tz())
        .or_else(|| courier.and_then(|c| c.timezone.parse().ok()))
        .unwrap_or(chrono_tz::UTC)
}

/// Why a run of the draft reminders stopped (the schedule retries it; markers keep a
/// digest from going out twice).
#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    NotWired(#[from] NotWired),
    /// The mail service refused or failed; the digest's marker was removed.
    #[error("the draft reminder could not be sent: {0}")]
    NotSent(String),
}

/// One client's digest, if it is due: enabled, in its local morning, with drafts older
/// than its threshold, and none sent yet on this local day.
async fn remind(
    ctx: &Ctx,
    at: DateTime<Utc>,
    client: &Client,
    courier: Option<&Courier>,
    orders: Vec<Order>,
) -> Result<Option<Sent>, ReminderError> {
    let settings = client.notification_settings().draft_reminders;
    if !settings.enabled || client.status == ClientStatus::Deleted {
        return Ok(None);
    }
    let local = at.with_timezone(&zone(client, courier));
    if !MORNING.contains(&local.hour()) {
        return Ok(None);
    }
    let due = timestamp(at - Duration::hours(i64::from(settings.after_hours.get())));
    let orders: Vec<Order> = orders.into_iter().filter(|o| o.created_at <= due).collect();
    if orders.is_empty() {
        return Ok(None);
    }
    let day = local.format("%Y-%m-%d").to_string();
    let marker = keys::draft_reminder(client.id.as_str(), &day);
    let expires = at + Duration::hours(MARKER_HOURS);
    let item = to_item(
        &json!({
            "clientId": client.id, "day": day, "sentAt": timestamp(at),
            "orderIds": orders.iter().take(MARKER_ORDER_IDS).map(|o| o.id.clone()).collect::<Vec<_>>(),
            "ttl": expires.timestamp(),
        }),
        &marker,
        "DraftReminder",
    )?;
    match ctx.store.put(item, Some(Cond::not_exists(PK))).await {
        Ok(()) => {}
        // Already sent today (the schedule fired twice, or an earlier run of this morning).
        Err(StoreError::ConditionFailed { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let email = digest(ctx, client, courier, &orders, at);
    if let Err(e) = ctx.mailer()?.send_email(&email).await {
        // Not sent: the next run this morning tries again.
        ctx.store.delete(&marker, None).await?;
        return Err(ReminderError::NotSent(e.to_string()));
    }
    Ok(Some(Sent {
        client_id: client.id.to_string(),
        to: client.email.to_string(),
        order_ids: orders.into_iter().map(|o| o.id).collect(),
    }))
}

/// One draft as the digest names it.
struct DraftLine {
    /// The client's own reference (`externalId`), else the short id.
    label: String,
    recipient: String,
    age_hours: i64,
    reasons: String,
}

#[derive(Template)]
#[template(path = "email/draft_reminder.html")]
struct DigestHtml<'a> {
    subject: &'a str,
    brand: &'a str,
    name: &'a str,
    intro: &'a str,
    drafts: &'a [DraftLine],
    drafts_link: &'a str,
    settings_link: &'a str,
}

/// The email (HTML with a plain-text part): one line per draft (the client's reference or
/// short id, recipient, age, reasons) and a link to the portal's drafts page, where they
/// are reviewed and submitted; no API URL (the person reading it uses the portal). Headed
/// with the courier's name and the client's.
fn digest(
    ctx: &Ctx,
    client: &Client,
    courier: Option<&Courier>,
    orders: &[Order],
    at: DateTime<Utc>,
) -> OutgoingEmail {
    let brand = match courier {
        Some(courier) => format!("{} · {}", courier.name, client.name),
        None => client.name.to_string(),
    };
    let base = ctx
        .config
        .public_base_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let base = base.trim_end_matches('/');
    let drafts_link = format!("{base}/drafts");
    let settings_link = format!("{base}/settings/communications");
    let drafts: Vec<DraftLine> = orders
        .iter()
        .map(|o| DraftLine {
            label: o.external_id.clone().unwrap_or_else(|| o.short_id.clone()),
            recipient: o
                .dropoff
                .stop
                .contact
                .as_ref()
                .map(|c| c.name.to_string())
                .unwrap_or_else(|| o.dropoff.stop.address.one_line()),
            age_hours: DateTime::parse_from_rfc3339(&o.created_at)
                .map(|c| (at - c.with_timezone(&Utc)).num_hours())
                .unwrap_or_default(),
            reasons: if o.draft_reasons.is_empty() {
                "not submitted yet".to_string()
            } else {
                o.draft_reasons.join("; ")
            },
        })
        .collect();
    let count = drafts.len();
    let subject = format!(
        "{count} draft order{} waiting for review",
        if count == 1 { "" } else { "s" }
    );
    let intro = format!(
        "{count} of your draft orders {} not been submitted:",
        if count == 1 { "has" } else { "have" }
    );
    let list: Vec<String> = drafts
        .iter()
        .map(|d| {
            format!(
                "- {} · {} · {} h · {}",
                d.label, d.recipient, d.age_hours, d.reasons
            )
        })
        .collect();
    let text = format!(
        "Hello {name},\n\n{intro}\n\n{list}\n\n\
         Review and submit them: {drafts_link}\n\n\
         You get this email once a day at most; turn it off or change the delay under Settings → Communications: {settings_link}\n\n\
         — {brand}\n",
        name = client.name,
        list = list.join("\n"),
    );
    let name = client.name.to_string();
    let html = DigestHtml {
        subject: &subject,
        brand: &brand,
        name: &name,
        intro: &intro,
        drafts: &drafts,
        drafts_link: &drafts_link,
        settings_link: &settings_link,
    }
    .render()
    // The text part says it all; a template that cannot render leaves the email text-only.
    .ok();
    OutgoingEmail {
        to: client.email.clone(),
        subject,
        text,
        html,
    }
}
