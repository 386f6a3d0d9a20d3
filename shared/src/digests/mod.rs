//! The courier's people's email digest of new orders and drafts (issue 19: "each courier
//! person may opt in to an email digest of new orders and drafts, every N minutes, default
//! off"). A person sets it on their own account page ([`set_order_digest`]); the
//! `order-digests` schedule (every 15 minutes, [`run_order_digests`]) emails each person
//! whose window has ended the orders and drafts their courier's clients created in it.
//!
//! - The setting is one item per person (`DIGEST#{userId}` / `DIGEST`: `cadence`, `since`,
//!   `nextAt`); while it is on, it sits in the sparse, sharded GSI4 partition
//!   `DIGESTS#{shard}` sorted by `nextAt`, so a run Queries the due ones only (no Scan).
//! - A window is `since ..< nextAt`: the orders are one Query of the courier's `ORDER#` keys
//!   between the ULIDs of those instants (order ids are ULIDs of their creation time).
//! - Exactly once per window: a marker `SENT#{window end}` is written with
//!   `attribute_not_exists` before the email; a retried run (or a second one) that finds it
//!   sends nothing and only moves the window on. A failed email deletes the marker and
//!   leaves the window where it was, so the next run tries again.
//! - Nothing is sent for a window without orders; a person who turns it off leaves the index
//!   (and gets nothing more); a person no longer in the courier's team is dropped.

use askama::Template;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::courier::{courier_timezone, Courier};
use crate::domain::digest::DigestCadence;
use crate::domain::order::Order;
use crate::domain::order_machine::OrderStatus;
use crate::domain::user::User;
use crate::needs::NotWired;
use crate::notify::OutgoingEmail;
use crate::store::records::{from_item, ENTITY};
use crate::store::{keys, Cond, Index, Item, Query, SkCond, StoreError, Update, PK};
use crate::Ctx;

/// Orders listed in one email; the rest are counted, with a link to the Orders page.
pub const LISTED: usize = 50;
/// How long a window's marker is kept (a retry comes within minutes).
const MARKER_DAYS: i64 = 7;
/// Windows one run catches up on for one person (a day of quarter hours); the next run
/// goes on from there.
const MAX_WINDOWS_A_RUN: usize = 96;

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// A client's person (or an API key): the digest is for the courier's people.
    #[error("the order digest is for the courier's people")]
    CouriersOnly,
    /// The email was not sent; the window stays where it was for the next run.
    #[error("the order digest could not be sent: {0}")]
    NotSent(String),
    #[error(transparent)]
    NotWired(#[from] NotWired),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A person's digest setting as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDigest {
    pub user_id: String,
    pub courier_id: String,
    pub cadence: DigestCadence,
    /// The start of the current window (the orders created since are the next digest's).
    pub since: String,
    /// The end of the current window, while on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<String>,
    pub updated_at: String,
}

/// The signed-in person's setting (off when never set).
pub async fn order_digest(ctx: &Ctx, user_id: &str) -> Result<DigestCadence, DigestError> {
    Ok(match ctx.store.get(&keys::order_digest(user_id)).await? {
        Some(item) => from_item::<OrderDigest>(item)?.cadence,
        None => DigestCadence::Off,
    })
}

/// Sets the signed-in courier person's digest. Turning it on starts a window now (the
/// orders created from now on); changing how often keeps the window's start (nothing is
/// listed twice or missed); turning it off takes it out of the schedule's index.
pub async fn set_order_digest(
    ctx: &Ctx,
    who: &Principal,
    user_id: &str,
    cadence: DigestCadence,
    at: DateTime<Utc>,
) -> Result<(), DigestError> {
    if who.role != Role::Courier || who.client_id.is_some() {
        return Err(DigestError::CouriersOnly);
    }
    let key = keys::order_digest(user_id);
    let stored = ctx
        .store
        .get(&key)
        .await?
        .map(from_item::<OrderDigest>)
        .transpose()?;
    if stored.as_ref().map_or(DigestCadence::Off, |d| d.cadence) == cadence {
        return Ok(());
    }
    let now = timestamp(at);
    // Written only over what was read: two saves at once, the second is refused and
    // answered as a conflict by the page.
    let cond = match &stored {
        Some(d) => Cond::eq("updatedAt", d.updated_at.as_str()),
        None => Cond::not_exists(PK),
    };
    let mut update = Update::new()
        .set(ENTITY, "OrderDigest")
        .set("userId", user_id)
        .set("courierId", who.courier_id.as_str())
        .set("cadence", cadence.as_str())
        .set("updatedAt", now.as_str());
    match cadence.next_after(at, zone(ctx, who.courier_id.as_str()).await?) {
        None => {
            update = update
                .remove("nextAt")
                .remove(Index::Gsi4.pk_attr())
                .remove(Index::Gsi4.sk_attr());
        }
        Some(next) => {
            let next = timestamp(next);
            let since = match &stored {
                Some(d) if d.cadence.is_on() => d.since.clone(),
                _ => now.clone(),
            };
            update = update
                .set("since", since)
                .set("nextAt", next.as_str())
                .set(Index::Gsi4.pk_attr(), keys::order_digests_pk(user_id))
                .set(Index::Gsi4.sk_attr(), keys::order_digest_sk(&next, user_id));
        }
    }
    ctx.store.update(&key, &update, Some(cond)).await?;
    Ok(())
}

/// The courier's zone (the daily digest's 08:00).
async fn zone(ctx: &Ctx, courier_id: &str) -> Result<Tz, DigestError> {
    let courier = ctx
        .store
        .get(&keys::courier(courier_id))
        .await?
        .map(from_item::<Courier>)
        .transpose()?;
    Ok(courier_timezone(courier.as_ref()).tz())
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestReport {
    pub at: String,
    /// Windows that had ended (sent, empty, or already sent by an earlier attempt).
    pub due: usize,
    pub sent: Vec<SentDigest>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentDigest {
    pub user_id: String,
    pub to: String,
    /// How many orders the window held (the email lists the first [`LISTED`]).
    pub orders: usize,
    pub order_ids: Vec<String>,
}

/// Sends the digests whose window has ended by `at` (the schedule's time).
pub async fn run_order_digests(ctx: &Ctx, at: DateTime<Utc>) -> Result<DigestReport, DigestError> {
    let now = timestamp(at);
    let mut report = DigestReport {
        at: now.clone(),
        ..Default::default()
    };
    for shard in 0..keys::DRAFT_SHARDS {
        let mut query = Query::partition(keys::order_digests_shard_pk(shard)).on(Index::Gsi4);
        // Times sort as text; `#` follows the time in the key, `~` sorts after it.
        query.sk = Some(SkCond::Between("0".into(), format!("{now}~")));
        loop {
            let found = ctx.store.query(&query).await?;
            for item in found.items {
                report.due += 1;
                report.sent.extend(deliver(ctx, at, item).await?);
            }
            match found.last_key {
                Some(last) => query = query.start_after(Some(last)),
                None => break,
            }
        }
    }
    Ok(report)
}

/// One person's ended window: its orders emailed (once), then the window moved on.
async fn deliver(ctx: &Ctx, at: DateTime<Utc>, item: Item) -> Result<Vec<SentDigest>, DigestError> {
    let index_sk = item
        .get(Index::Gsi4.sk_attr())
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let digest: OrderDigest = from_item(item)?;
    let key = keys::order_digest(&digest.user_id);
    let (Some(window_end), Ok(since)) = (
        digest.next_at.as_deref().and_then(parse_time),
        digest.since.parse::<DateTime<Utc>>(),
    ) else {
        return Err(
            StoreError::Backend(format!("unreadable order digest {}", digest.user_id)).into(),
        );
    };
    let (person, courier) = person_and_courier(ctx, &digest).await?;
    let (Some(person), Some(courier)) = (person, courier) else {
        // No longer one of the courier's people: the setting goes with them.
        ctx.store
            .delete(
                &key,
                Some(Cond::eq(Index::Gsi4.sk_attr(), index_sk.as_str())),
            )
            .await
            .or_else(ignore_condition)?;
        return Ok(vec![]);
    };
    let zone = courier_timezone(Some(&courier)).tz();
    let (mut since, mut window_end, mut index_sk) = (since, window_end, index_sk);
    let mut sent = vec![];
    // Window after window until one ends after `at` (a late run, or one after an outage,
    // catches up: each window is its own, with its own marker, so a retry at any later
    // time names the same windows).
    for _ in 0..MAX_WINDOWS_A_RUN {
        let window = orders_of(ctx, &digest.courier_id, since, window_end).await?;
        if window.count > 0 {
            let marker = keys::order_digest_window(&digest.user_id, &timestamp(window_end));
            let mut item = Item::new();
            item.insert(PK.into(), marker.pk.clone().into());
            item.insert(crate::store::SK.into(), marker.sk.clone().into());
            item.insert(ENTITY.into(), "OrderDigestSent".into());
            item.insert("sentAt".into(), timestamp(at).into());
            item.insert("orders".into(), window.count.into());
            item.insert(
                "ttl".into(),
                (at + Duration::days(MARKER_DAYS)).timestamp().into(),
            );
            match ctx.store.put(item, Some(Cond::not_exists(PK))).await {
                Ok(()) => {
                    let email = email(ctx, &person, &courier, zone, since, &window, digest.cadence);
                    if let Err(e) = ctx.mailer()?.send_email(&email).await {
                        // Not sent: the window stays, the next run tries again.
                        ctx.store.delete(&marker, None).await?;
                        return Err(DigestError::NotSent(e.to_string()));
                    }
                    sent.push(SentDigest {
                        user_id: digest.user_id.clone(),
                        to: person.email.to_string(),
                        orders: window.count,
                        order_ids: window.listed.iter().map(|o| o.id.clone()).collect(),
                    });
                }
                // Sent by an earlier attempt that stopped before moving the window on.
                Err(StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        // The next window starts where this one ended.
        let Some(next) = digest.cadence.next_after(window_end, zone) else {
            break;
        };
        let next_sk = keys::order_digest_sk(&timestamp(next), &digest.user_id);
        let moved = Update::new()
            .set("since", timestamp(window_end))
            .set("nextAt", timestamp(next))
            .set(Index::Gsi4.sk_attr(), next_sk.as_str());
        // Only the window read: a person who changed or turned it off meanwhile keeps theirs.
        match ctx
            .store
            .update(
                &key,
                &moved,
                Some(Cond::eq(Index::Gsi4.sk_attr(), index_sk.as_str())),
            )
            .await
        {
            Ok(_) => {}
            Err(StoreError::ConditionFailed { .. }) => break,
            Err(e) => return Err(e.into()),
        }
        if next > at {
            break;
        }
        (since, window_end, index_sk) = (window_end, next, next_sk);
    }
    Ok(sent)
}

fn ignore_condition(e: StoreError) -> Result<(), StoreError> {
    match e {
        StoreError::ConditionFailed { .. } => Ok(()),
        e => Err(e),
    }
}

fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    raw.parse().ok()
}

/// The person (still the courier's, by their reference and login email) and the courier:
/// one BatchGetItem, then the user item.
async fn person_and_courier(
    ctx: &Ctx,
    digest: &OrderDigest,
) -> Result<(Option<User>, Option<Courier>), DigestError> {
    let wanted = [
        keys::user_ref(&digest.user_id),
        keys::courier(&digest.courier_id),
    ];
    let mut found = ctx.store.batch_get(&wanted).await?.into_iter();
    let reference = found
        .next()
        .flatten()
        .and_then(|r| r.get("email")?.as_str().map(str::to_string));
    let courier = found
        .next()
        .flatten()
        .map(from_item::<Courier>)
        .transpose()?;
    let Some(reference) = reference else {
        return Ok((None, courier));
    };
    let user = ctx
        .store
        .get(&keys::user(&reference))
        .await?
        .map(from_item::<User>)
        .transpose()?
        .filter(|u| {
            u.user_id == digest.user_id
                && u.role == Role::Courier
                && u.client_id.is_none()
                && u.courier_id.as_str() == digest.courier_id
        });
    Ok((user, courier))
}

/// A window's orders: the first [`LISTED`], oldest first, and how many there are.
struct Window {
    listed: Vec<Order>,
    count: usize,
}

/// The courier's orders created in `since ..< end`: a Query of `ORDER#` keys between the
/// ULIDs of those instants (a page at a time, the orders past [`LISTED`] only counted).
async fn orders_of(
    ctx: &Ctx,
    courier_id: &str,
    since: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Window, DigestError> {
    let mut window = Window {
        listed: vec![],
        count: 0,
    };
    if end <= since {
        return Ok(window);
    }
    let mut query = Query::partition(keys::courier_pk(courier_id));
    query.sk = Some(keys::order_sk_range(
        Some(since),
        Some(end - Duration::milliseconds(1)),
    ));
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            window.count += 1;
            if window.listed.len() < LISTED {
                window.listed.push(from_item::<Order>(item)?);
            }
        }
        match page.last_key {
            Some(last) => query.start_after = Some(last),
            None => break,
        }
    }
    Ok(window)
}

/// One order as the digest names it.
struct OrderLine {
    label: String,
    client: String,
    status: &'static str,
    to: String,
    created: String,
    link: String,
}

#[derive(Template)]
#[template(path = "email/order_digest.html")]
struct DigestHtml<'a> {
    subject: &'a str,
    brand: &'a str,
    name: &'a str,
    intro: &'a str,
    orders: &'a [OrderLine],
    more: &'a str,
    orders_link: &'a str,
    settings_link: &'a str,
    footer: &'a str,
}

fn status_words(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Draft => "Draft",
        OrderStatus::Placed => "New",
        OrderStatus::Scheduled => "Scheduled",
        OrderStatus::InProgress => "In progress",
        OrderStatus::Completed => "Delivered",
        OrderStatus::Failed => "Failed",
        OrderStatus::Rejected => "Rejected",
        OrderStatus::Withdrawn => "Withdrawn",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The email (HTML with a plain-text part): one line per order (short id or the client's
/// reference, client, status in words, recipient, creation time in the courier's zone), a
/// link to each order's page on the portal's own host, never an API URL.
fn email(
    ctx: &Ctx,
    person: &User,
    courier: &Courier,
    zone: Tz,
    since: DateTime<Utc>,
    window: &Window,
    cadence: DigestCadence,
) -> OutgoingEmail {
    let base = ctx
        .config
        .public_base_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let base = base.trim_end_matches('/');
    let drafts = window
        .listed
        .iter()
        .filter(|o| o.status == OrderStatus::Draft)
        .count();
    let lines: Vec<OrderLine> = window
        .listed
        .iter()
        .map(|o| OrderLine {
            label: match &o.external_id {
                Some(reference) => format!("{} ({reference})", o.short_id),
                None => o.short_id.clone(),
            },
            client: o.client_name.clone(),
            status: status_words(o.status),
            to: o
                .dropoff
                .stop
                .contact
                .as_ref()
                .map(|c| format!("{}, {}", c.name, o.dropoff.stop.address.one_line()))
                .unwrap_or_else(|| o.dropoff.stop.address.one_line()),
            created: o
                .created_at
                .parse::<DateTime<Utc>>()
                .map(|t| {
                    t.with_timezone(&zone)
                        .format("%a %-d %b, %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            link: format!("{base}/orders/{}", o.id),
        })
        .collect();
    let what = if drafts > 0 && window.count == window.listed.len() {
        format!(
            "{} ({} of them {})",
            plural(window.count, "new order", "new orders"),
            drafts,
            if drafts == 1 { "a draft" } else { "drafts" }
        )
    } else {
        plural(window.count, "new order", "new orders")
    };
    let subject = format!("{what} for {}", courier.name);
    let since_words = crate::domain::timezone::Timezone::parse(zone.name())
        .unwrap_or_default()
        .in_words(since);
    let intro = format!("Since {since_words}, your clients created {what}:");
    let more = if window.count > window.listed.len() {
        format!(
            "…and {} more on the Orders page.",
            window.count - window.listed.len()
        )
    } else {
        String::new()
    };
    let orders_link = format!("{base}/orders");
    let settings_link = format!("{base}/settings/user");
    let how_often = match cadence {
        DigestCadence::Every15Minutes => "every 15 minutes",
        DigestCadence::Hourly => "every hour",
        DigestCadence::DailyAt8 | DigestCadence::Off => "every day at 8:00",
    };
    let footer = format!(
        "You get this digest {how_often} when there are new orders. Change it or turn it off under Your account."
    );
    let list: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "- {} · {} · {} · to {} · {}\n  {}",
                l.label, l.client, l.status, l.to, l.created, l.link
            )
        })
        .collect();
    let text = format!(
        "Hello {name},\n\n{intro}\n\n{list}\n{more}\n\nAll orders: {orders_link}\n\n\
         {footer} {settings_link}\n\n— {brand}\n",
        name = person.name,
        list = list.join("\n"),
        brand = courier.name,
    );
    let name = person.name.to_string();
    let html = DigestHtml {
        subject: &subject,
        brand: &courier.name,
        name: &name,
        intro: &intro,
        orders: &lines,
        more: &more,
        orders_link: &orders_link,
        settings_link: &settings_link,
        footer: &footer,
    }
    .render()
    // The text part says it all; a template that cannot render leaves the email text-only.
    .ok();
    OutgoingEmail {
        to: person.email.clone(),
        subject,
        text,
        html,
    }
}
