//! The `webhook-deliveries` schedule (every minute): sends the deliveries that are due.
//!
//! Pending deliveries are in the sparse, sharded due index (GSI4 `WHDUE#{shard}`, sorted by
//! due time), so a run reads the due ones only, never a Scan. A delivery is claimed by a
//! conditional write on its index key (moved a few minutes on) before it is sent, so two
//! runs at once send it once; a run that dies after the claim leaves it due again when the
//! lease ends (at least once). An order's deliveries to one endpoint go one at a time, in
//! order: a delivery waits while an earlier one of its order's lane is pending. A failed
//! attempt is retried after 1, 5 and 30 minutes, 2, 5 and then 10 hours, until
//! [`RETRY_MINUTES`](crate::domain::webhook::RETRY_MINUTES) runs out (87 hours); an endpoint
//! with no success for three days is disabled and its organisation's admins emailed.

use askama::Template;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;

use super::error::HookError;
use super::send::{self, allow_private};
use crate::clock::timestamp;
use crate::domain::team_role::TeamRole;
use crate::domain::user::User;
use crate::domain::webhook::{
    parse_time, retry_after, signed_headers, Attempt, Delivery, DeliveryStatus, Endpoint,
    EndpointUrl, DISABLE_AFTER_DAYS,
};
use crate::notify::OutgoingEmail;
use crate::store::records::from_item;
use crate::store::{keys, Cond, Index, Item, Query, SkCond, StoreError, Update, PK};
use crate::Ctx;

/// How long deliveries are kept (DynamoDB's TTL removes them).
pub const KEEP_DAYS: i64 = 30;

/// When a delivery made at `now` expires (DynamoDB's TTL).
pub fn expiry(now: DateTime<Utc>) -> i64 {
    (now + Duration::days(KEEP_DAYS)).timestamp()
}

/// How long a claimed delivery is held before another run may take it.
const LEASE_MINUTES: i64 = 3;
/// A run stops claiming after this long (the function has 55 s, an attempt up to 15 s):
/// what is left is due still, for the next minute's run.
const RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(35);

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    pub at: String,
    /// Attempts made, delivered and not.
    pub attempted: usize,
    pub delivered: usize,
    /// Deliveries that waited for an earlier one of their order.
    pub waiting: usize,
    /// Endpoints disabled by this run.
    pub disabled: Vec<String>,
    /// The run's time was up before every due delivery was tried.
    pub left_for_next_run: bool,
}

/// Sends the deliveries due at `at`.
pub async fn run_due_deliveries(ctx: &Ctx, at: DateTime<Utc>) -> Result<DeliveryReport, HookError> {
    let now = timestamp(at);
    let mut report = DeliveryReport {
        at: now.clone(),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    for shard in 0..keys::WEBHOOK_SHARDS {
        let mut query = Query::partition(keys::webhook_due_shard_pk(shard)).on(Index::Gsi4);
        // Due times sort as text; `#` follows the due time in the key, `~` sorts after it.
        query.sk = Some(SkCond::Between("0".into(), format!("{now}~")));
        loop {
            let found = ctx.store.query(&query).await?;
            for item in found.items {
                if started.elapsed() > RUN_BUDGET {
                    report.left_for_next_run = true;
                    return Ok(report);
                }
                process(ctx, at, item, &mut report).await?;
            }
            match found.last_key {
                Some(last) => query = query.start_after(Some(last)),
                None => break,
            }
        }
    }
    Ok(report)
}

async fn process(
    ctx: &Ctx,
    at: DateTime<Utc>,
    item: Item,
    report: &mut DeliveryReport,
) -> Result<(), HookError> {
    let index_sk = item
        .get(Index::Gsi4.sk_attr())
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let delivery: Delivery = from_item(item)?;
    let key = keys::webhook_delivery(&delivery.endpoint_id, &delivery.ulid);
    // Claimed first: a second run, or a redelivered schedule, finds it taken.
    let lease = timestamp(at + Duration::minutes(LEASE_MINUTES));
    let claim = Update::new().set(
        Index::Gsi4.sk_attr(),
        keys::webhook_due_sk(&lease, &delivery.endpoint_id, &delivery.ulid),
    );
    match ctx
        .store
        .update(
            &key,
            &claim,
            Some(Cond::eq(Index::Gsi4.sk_attr(), index_sk.as_str())),
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::ConditionFailed { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let endpoint = ctx
        .store
        .get(&keys::webhook_endpoint(
            &delivery.org_id,
            &delivery.endpoint_id,
        ))
        .await?
        .map(from_item::<Endpoint>)
        .transpose()?;
    let Some(endpoint) = endpoint.filter(|e| e.enabled) else {
        // Deleted or disabled: nothing more is sent for it.
        finish(ctx, &delivery, DeliveryStatus::Failed, None).await?;
        return Ok(());
    };
    if let Some(wait_until) = earlier_pending(ctx, &delivery, at).await? {
        let due = timestamp(wait_until);
        let update = Update::new().set(
            Index::Gsi4.sk_attr(),
            keys::webhook_due_sk(&due, &delivery.endpoint_id, &delivery.ulid),
        );
        ctx.store
            .update(&key, &update, Some(Cond::exists(PK)))
            .await?;
        report.waiting += 1;
        return Ok(());
    }
    let attempt = attempt(ctx, &endpoint, &delivery, at).await;
    report.attempted += 1;
    if attempt.succeeded() {
        report.delivered += 1;
        finish(ctx, &delivery, DeliveryStatus::Delivered, Some(&attempt)).await?;
        if endpoint.failing_since.is_some() {
            let healed = Update::new().remove("failingSince");
            match ctx
                .store
                .update(
                    &keys::webhook_endpoint(&endpoint.org_id, &endpoint.id),
                    &healed,
                    Some(Cond::exists("failingSince")),
                )
                .await
            {
                Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        return Ok(());
    }
    let failures = delivery.failures + 1;
    match retry_after(failures) {
        Some(wait) => {
            let next = timestamp(at + wait);
            let update = Update::new()
                .append(
                    "attempts",
                    vec![serde_json::to_value(&attempt).unwrap_or_default()],
                )
                .set("failures", failures)
                .set("nextAttemptAt", next.as_str())
                .set(
                    Index::Gsi4.sk_attr(),
                    keys::webhook_due_sk(&next, &delivery.endpoint_id, &delivery.ulid),
                );
            ctx.store
                .update(&key, &update, Some(Cond::exists(PK)))
                .await?;
        }
        None => finish(ctx, &delivery, DeliveryStatus::Failed, Some(&attempt)).await?,
    }
    if let Some(disabled) = failing(ctx, &endpoint, at).await? {
        report.disabled.push(disabled);
    }
    Ok(())
}

/// When an earlier delivery of the same order to the same endpoint is pending: the time to
/// look again (its next attempt). A lane entry whose delivery is no longer pending is
/// dropped on the way.
async fn earlier_pending(
    ctx: &Ctx,
    delivery: &Delivery,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, HookError> {
    let Some(order) = &delivery.order_id else {
        return Ok(None);
    };
    let query = Query::partition(keys::webhook_lane_pk(&delivery.endpoint_id, order)).limit(1);
    let page = ctx.store.query(&query).await?;
    let Some(head) = page.items.first() else {
        return Ok(None);
    };
    let head_ulid = head
        .get(crate::store::SK)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if head_ulid.as_str() >= delivery.ulid.as_str() {
        return Ok(None);
    }
    let earlier = ctx
        .store
        .get(&keys::webhook_delivery(&delivery.endpoint_id, &head_ulid))
        .await?
        .map(from_item::<Delivery>)
        .transpose()?;
    match earlier.filter(|d| d.status == DeliveryStatus::Pending) {
        Some(earlier) => {
            let next = earlier
                .next_attempt_at
                .as_deref()
                .and_then(parse_time)
                .unwrap_or(at);
            Ok(Some(next.max(at) + Duration::seconds(1)))
        }
        None => {
            ctx.store
                .delete(
                    &keys::webhook_lane(&delivery.endpoint_id, order, &head_ulid),
                    None,
                )
                .await?;
            Ok(Some(at))
        }
    }
}

/// A delivery done with (delivered, or failed for good): out of the due index and of its
/// order's lane; the next of the lane is due now.
async fn finish(
    ctx: &Ctx,
    delivery: &Delivery,
    status: DeliveryStatus,
    attempt: Option<&Attempt>,
) -> Result<(), HookError> {
    let key = keys::webhook_delivery(&delivery.endpoint_id, &delivery.ulid);
    let mut update = Update::new()
        .set("status", status.as_str())
        .remove("nextAttemptAt")
        .remove(Index::Gsi4.pk_attr())
        .remove(Index::Gsi4.sk_attr());
    if let Some(attempt) = attempt {
        update = update.append(
            "attempts",
            vec![serde_json::to_value(attempt).unwrap_or_default()],
        );
        if attempt.succeeded() {
            update = update.set("failures", 0);
        } else {
            update = update.set("failures", delivery.failures + 1);
        }
    }
    ctx.store
        .update(&key, &update, Some(Cond::exists(PK)))
        .await?;
    let Some(order) = &delivery.order_id else {
        return Ok(());
    };
    let lane = keys::webhook_lane_pk(&delivery.endpoint_id, order);
    ctx.store
        .delete(
            &keys::webhook_lane(&delivery.endpoint_id, order, &delivery.ulid),
            None,
        )
        .await?;
    let next = ctx.store.query(&Query::partition(lane).limit(1)).await?;
    if let Some(ulid) = next
        .items
        .first()
        .and_then(|i| i.get(crate::store::SK))
        .and_then(Value::as_str)
    {
        let now = timestamp(ctx.now());
        let wake = Update::new().set("nextAttemptAt", now.as_str()).set(
            Index::Gsi4.sk_attr(),
            keys::webhook_due_sk(&now, &delivery.endpoint_id, ulid),
        );
        match ctx
            .store
            .update(
                &keys::webhook_delivery(&delivery.endpoint_id, ulid),
                &wake,
                Some(Cond::exists(Index::Gsi4.pk_attr())),
            )
            .await
        {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// One attempt: the Standard Webhooks headers signed with every key that signs at `at`,
/// the body as stored, to the endpoint's checked address.
pub async fn attempt(
    ctx: &Ctx,
    endpoint: &Endpoint,
    delivery: &Delivery,
    at: DateTime<Utc>,
) -> Attempt {
    let url = match EndpointUrl::parse(&endpoint.url, allow_private(ctx)) {
        Ok(url) => url,
        Err(refused) => {
            return Attempt {
                at: timestamp(at),
                outcome: "refused".into(),
                status_code: None,
                latency_ms: 0,
                error: Some(refused.message),
            }
        }
    };
    let headers = signed_headers(
        &delivery.message_id(),
        at,
        &delivery.body,
        &endpoint.signing_keys(at),
    );
    let outcome = send::post(&url, &headers, &delivery.body, allow_private(ctx)).await;
    tracing::info!(
        endpoint = %endpoint.id,
        delivery = %delivery.id(),
        status = outcome.status,
        latency_ms = outcome.latency_ms,
        delivered = outcome.delivered(),
        "webhook attempt"
    );
    Attempt {
        at: timestamp(at),
        outcome: if outcome.delivered() {
            "delivered"
        } else if outcome.refused {
            "refused"
        } else {
            "failed"
        }
        .into(),
        status_code: outcome.status,
        latency_ms: outcome.latency_ms,
        error: outcome.error,
    }
}

/// Notes a failure on the endpoint; after [`DISABLE_AFTER_DAYS`] without a success it is
/// disabled (once: the write is conditioned on it being enabled) and its organisation's
/// admins emailed. Returns the endpoint's id when this run disabled it.
async fn failing(
    ctx: &Ctx,
    endpoint: &Endpoint,
    at: DateTime<Utc>,
) -> Result<Option<String>, HookError> {
    let key = keys::webhook_endpoint(&endpoint.org_id, &endpoint.id);
    let Some(since) = endpoint.failing_since.as_deref() else {
        let update = Update::new().set("failingSince", timestamp(at));
        match ctx
            .store
            .update(
                &key,
                &update,
                Some(Cond::not_exists("failingSince").and(Cond::exists(PK))),
            )
            .await
        {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    };
    let Some(since_at) = parse_time(since) else {
        return Ok(None);
    };
    if at - since_at < Duration::days(DISABLE_AFTER_DAYS) {
        return Ok(None);
    }
    let reason = format!(
        "every delivery failed from {} for {DISABLE_AFTER_DAYS} days",
        since
    );
    let update = Update::new()
        .set("enabled", false)
        .set("disabledReason", reason.as_str())
        .set("updatedAt", timestamp(at))
        .increment("version", 1);
    match ctx
        .store
        .update(
            &key,
            &update,
            Some(Cond::eq("enabled", true).and(Cond::eq("failingSince", since))),
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::ConditionFailed { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    tell_admins(ctx, endpoint, since_at).await?;
    Ok(Some(endpoint.id.clone()))
}

#[derive(Template)]
#[template(path = "email/webhook_disabled.html")]
struct DisabledHtml<'a> {
    subject: &'a str,
    name: &'a str,
    url: &'a str,
    since: &'a str,
    link: &'a str,
}

/// Emails the organisation's admins that its endpoint was turned off, and how to turn it on.
async fn tell_admins(
    ctx: &Ctx,
    endpoint: &Endpoint,
    since: DateTime<Utc>,
) -> Result<(), HookError> {
    let people = admins_of(ctx, &endpoint.org_id).await?;
    let base = ctx
        .config
        .public_base_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let link = format!("{}/settings/api#webhooks", base.trim_end_matches('/'));
    let subject = "Your webhook endpoint was turned off".to_string();
    let since_words = since.format("%-d %B %Y").to_string();
    for person in &people {
        let text = format!(
            "Hello {name},\n\nWe could not deliver events to your webhook endpoint\n{url}\n\
             since {since_words}: every attempt for three days failed, so we have turned it \
             off and stopped sending to it.\n\nOnce the endpoint answers again, turn it back \
             on from API & integrations: {link}\n\nEach delivery's attempts are listed there, \
             and you can send any of them again.\n",
            name = person.name,
            url = endpoint.url,
        );
        let name = person.name.to_string();
        let html = DisabledHtml {
            subject: &subject,
            name: &name,
            url: &endpoint.url,
            since: &since_words,
            link: &link,
        }
        .render()
        .ok();
        let email = OutgoingEmail {
            to: person.email.clone(),
            subject: subject.clone(),
            text,
            html,
        };
        // The endpoint stays disabled whatever the mail does: a failure is logged, and the
        // settings page shows why it is off.
        if let Err(e) = ctx.mailer()?.send_email(&email).await {
            tracing::error!(endpoint = %endpoint.id, error = %e, "the disabled-endpoint email was not sent");
        }
    }
    Ok(())
}

/// The organisation's admins: its members with the admin role, then their users (two
/// BatchGetItems a page).
async fn admins_of(ctx: &Ctx, org: &str) -> Result<Vec<User>, HookError> {
    Ok(crate::accounts::users::org_users(ctx, org, |m| m.team_role == TeamRole::Admin).await?)
}
