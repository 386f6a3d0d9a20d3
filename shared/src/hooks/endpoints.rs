//! An organisation's endpoints: created (with the organisation's count), listed, read,
//! changed, deleted, their secret rotated; an endpoint's deliveries listed and replayed,
//! and a test event sent now.

use chrono::Duration;
use serde_json::json;

use super::error::HookError;
use super::send::allow_private;
use super::worker::{self, expiry};
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::webhook::{
    event_body, new_endpoint_id, new_secret, parse_description, parse_event_types, Delivery,
    DeliveryStatus, Endpoint, EndpointUrl, EventType, MAX_ENDPOINTS, ROTATION_OVERLAP_HOURS,
};
use crate::store::pages::list_page;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Index, Query, StoreError, Update, Write, PK, TTL};
use crate::Ctx;

/// What a caller sends to create or change an endpoint (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct EndpointFields {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `Some(None)`: cleared.
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

struct Checked {
    url: Option<String>,
    event_types: Option<Vec<EventType>>,
    description: Option<Option<String>>,
}

fn check(ctx: &Ctx, fields: &EndpointFields) -> Result<Checked, HookError> {
    let url = fields
        .url
        .as_deref()
        .map(|raw| {
            EndpointUrl::parse(raw, allow_private(ctx))
                .map(|u| u.url)
                .map_err(|e| HookError::field("url", e.code, e.message))
        })
        .transpose()?;
    let event_types = fields
        .event_types
        .as_deref()
        .map(|raw| {
            parse_event_types(raw).map_err(|m| HookError::field("eventTypes", "invalid_field", m))
        })
        .transpose()?;
    let description = fields
        .description
        .as_ref()
        .map(|d| {
            parse_description(d.as_deref())
                .map_err(|m| HookError::field("description", "invalid_field", m))
        })
        .transpose()?;
    Ok(Checked {
        url,
        event_types,
        description,
    })
}

/// A new endpoint and its secret's value (shown once: later reads never show it).
pub async fn create_endpoint(
    ctx: &Ctx,
    who: &Principal,
    fields: EndpointFields,
) -> Result<(Endpoint, String), HookError> {
    let checked = check(ctx, &fields)?;
    let url = checked
        .url
        .ok_or_else(|| HookError::field("url", "missing_field", "give the URL to send to"))?;
    let event_types = checked.event_types.ok_or_else(|| {
        HookError::field(
            "eventTypes",
            "missing_field",
            "choose the events to send, e.g. [\"order.status_changed\"]",
        )
    })?;
    let now = timestamp(ctx.now());
    let secret = new_secret(now.clone());
    let value = secret.value.clone();
    let endpoint = Endpoint {
        id: new_endpoint_id(),
        org_id: who.org_id().to_string(),
        courier_id: who.courier_id.to_string(),
        client_id: who.client_id.as_ref().map(|c| c.to_string()),
        url,
        event_types,
        description: checked.description.flatten(),
        enabled: fields.enabled.unwrap_or(true),
        secret,
        previous_secret: None,
        previous_secret_expires_at: None,
        failing_since: None,
        disabled_reason: None,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    let key = keys::webhook_endpoint(&endpoint.org_id, &endpoint.id);
    let writes = vec![
        Write::Update {
            key: keys::webhook_endpoint_count(&endpoint.org_id),
            update: Update::new().increment("count", 1),
            cond: Some(Cond::Or(vec![
                Cond::not_exists("count"),
                Cond::lt("count", MAX_ENDPOINTS),
            ])),
        },
        Write::Put {
            item: to_item(&endpoint, &key, "WebhookEndpoint")?,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    match ctx.store.transact(writes).await {
        Ok(()) => Ok((endpoint, value)),
        Err(e) if e.condition_failed_at(0) => Err(HookError::TooMany(MAX_ENDPOINTS)),
        Err(e) => Err(e.into()),
    }
}

/// The organisation's endpoints, oldest first.
pub async fn list_endpoints(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    cursor: Option<&str>,
) -> Result<(Vec<Endpoint>, Option<String>), HookError> {
    let query =
        Query::partition(keys::org_pk(who.org_id())).sk_begins_with(keys::WEBHOOK_ENDPOINT_PREFIX);
    let (items, next) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let endpoints = items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Endpoint>, _>>()?;
    Ok((endpoints, next))
}

/// One of the organisation's endpoints (another's is not found).
pub async fn get_endpoint(ctx: &Ctx, who: &Principal, id: &str) -> Result<Endpoint, HookError> {
    load_endpoint(ctx, who.org_id(), id)
        .await?
        .ok_or(HookError::NotFound("webhook endpoint"))
}

async fn load_endpoint(ctx: &Ctx, org: &str, id: &str) -> Result<Option<Endpoint>, HookError> {
    if !id.starts_with("whep_") || id.len() > 40 {
        return Ok(None);
    }
    let item = ctx.store.get(&keys::webhook_endpoint(org, id)).await?;
    Ok(item.map(from_item).transpose()?)
}

/// Writes `endpoint` over the version it was read at.
async fn save(ctx: &Ctx, endpoint: &Endpoint, read_version: u64) -> Result<(), HookError> {
    let key = keys::webhook_endpoint(&endpoint.org_id, &endpoint.id);
    match ctx
        .store
        .put(
            to_item(endpoint, &key, "WebhookEndpoint")?,
            Some(Cond::eq("version", read_version)),
        )
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { .. }) => Err(HookError::Changed),
        Err(e) => Err(e.into()),
    }
}

/// Changes an endpoint's URL, event types, description or enabled state; re-enabling one
/// the portal disabled starts its failure count again.
pub async fn update_endpoint(
    ctx: &Ctx,
    who: &Principal,
    id: &str,
    fields: EndpointFields,
    expected_version: Option<u64>,
) -> Result<Endpoint, HookError> {
    let checked = check(ctx, &fields)?;
    let mut endpoint = get_endpoint(ctx, who, id).await?;
    let read = endpoint.version;
    if expected_version.is_some_and(|v| v != read) {
        return Err(HookError::Changed);
    }
    if let Some(url) = checked.url {
        endpoint.url = url;
    }
    if let Some(types) = checked.event_types {
        endpoint.event_types = types;
    }
    if let Some(description) = checked.description {
        endpoint.description = description;
    }
    if let Some(enabled) = fields.enabled {
        if enabled && !endpoint.enabled {
            endpoint.failing_since = None;
            endpoint.disabled_reason = None;
        }
        endpoint.enabled = enabled;
    }
    endpoint.updated_at = timestamp(ctx.now());
    endpoint.version += 1;
    save(ctx, &endpoint, read).await?;
    Ok(endpoint)
}

/// Deletes an endpoint; its pending deliveries fail when their turn comes.
pub async fn delete_endpoint(ctx: &Ctx, who: &Principal, id: &str) -> Result<(), HookError> {
    let endpoint = get_endpoint(ctx, who, id).await?;
    let writes = vec![
        Write::Delete {
            key: keys::webhook_endpoint(&endpoint.org_id, &endpoint.id),
            cond: Some(Cond::exists(PK)),
        },
        Write::Update {
            key: keys::webhook_endpoint_count(&endpoint.org_id),
            update: Update::new().increment("count", -1),
            cond: Some(Cond::gt("count", 0)),
        },
    ];
    match ctx.store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(e) if e.condition_failed_at(0) => Err(HookError::NotFound("webhook endpoint")),
        Err(e) => Err(e.into()),
    }
}

/// A new secret (its value returned, shown once); the old one keeps signing beside it for
/// [`ROTATION_OVERLAP_HOURS`].
pub async fn rotate_secret(
    ctx: &Ctx,
    who: &Principal,
    id: &str,
) -> Result<(Endpoint, String), HookError> {
    let mut endpoint = get_endpoint(ctx, who, id).await?;
    let read = endpoint.version;
    let now = ctx.now();
    let secret = new_secret(timestamp(now));
    let value = secret.value.clone();
    endpoint.previous_secret = Some(std::mem::replace(&mut endpoint.secret, secret));
    endpoint.previous_secret_expires_at =
        Some(timestamp(now + Duration::hours(ROTATION_OVERLAP_HOURS)));
    endpoint.updated_at = timestamp(now);
    endpoint.version += 1;
    save(ctx, &endpoint, read).await?;
    Ok((endpoint, value))
}

/// A page of an endpoint's deliveries, newest first.
pub async fn list_deliveries(
    ctx: &Ctx,
    who: &Principal,
    endpoint_id: &str,
    limit: u32,
    cursor: Option<&str>,
) -> Result<(Endpoint, Vec<Delivery>, Option<String>), HookError> {
    let endpoint = get_endpoint(ctx, who, endpoint_id).await?;
    let query = Query::partition(keys::webhook_deliveries_pk(&endpoint.id))
        .sk_begins_with(keys::WEBHOOK_DELIVERY_PREFIX)
        .descending();
    let (items, next) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let deliveries = items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Delivery>, _>>()?;
    Ok((endpoint, deliveries, next))
}

/// Sends a delivery again: pending, due now, its retries counted afresh.
pub async fn replay_delivery(
    ctx: &Ctx,
    who: &Principal,
    endpoint_id: &str,
    delivery_id: &str,
) -> Result<Delivery, HookError> {
    let endpoint = get_endpoint(ctx, who, endpoint_id).await?;
    let ulid = delivery_id
        .strip_prefix("dlv_")
        .filter(|u| ulid::Ulid::from_string(u).is_ok())
        .ok_or(HookError::NotFound("delivery"))?;
    let key = keys::webhook_delivery(&endpoint.id, ulid);
    let mut delivery: Delivery = from_item(
        ctx.store
            .get(&key)
            .await?
            .ok_or(HookError::NotFound("delivery"))?,
    )?;
    let now = timestamp(ctx.now());
    delivery.status = DeliveryStatus::Pending;
    delivery.failures = 0;
    delivery.next_attempt_at = Some(now.clone());
    let update = Update::new()
        .set("status", DeliveryStatus::Pending.as_str())
        .set("failures", 0)
        .set("nextAttemptAt", now.as_str())
        .set(Index::Gsi4.pk_attr(), keys::webhook_due_pk(&endpoint.id))
        .set(
            Index::Gsi4.sk_attr(),
            keys::webhook_due_sk(&now, &endpoint.id, ulid),
        );
    ctx.store
        .update(&key, &update, Some(Cond::exists(PK)))
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { .. } => HookError::NotFound("delivery"),
            e => e.into(),
        })?;
    Ok(delivery)
}

/// Sends a `ping` event to the endpoint now and answers how it went (logged among its
/// deliveries; not retried).
pub async fn send_test_event(
    ctx: &Ctx,
    who: &Principal,
    endpoint_id: &str,
) -> Result<Delivery, HookError> {
    let endpoint = get_endpoint(ctx, who, endpoint_id).await?;
    let now = ctx.now();
    let ulid = crate::domain::ids::next_ulid_at(now).to_string();
    let body = event_body(
        "ping",
        &timestamp(now),
        json!({
            "endpointId": endpoint.id,
            "message": "A test event from the courier portal: your endpoint is reachable.",
        }),
    );
    let mut delivery = Delivery {
        ulid,
        endpoint_id: endpoint.id.clone(),
        org_id: endpoint.org_id.clone(),
        event_type: "ping".into(),
        order_id: None,
        body,
        status: DeliveryStatus::Pending,
        attempts: vec![],
        failures: 0,
        next_attempt_at: None,
        created_at: timestamp(now),
    };
    let attempt = worker::attempt(ctx, &endpoint, &delivery, now).await;
    delivery.status = if attempt.succeeded() {
        DeliveryStatus::Delivered
    } else {
        DeliveryStatus::Failed
    };
    delivery.failures = usize::from(!attempt.succeeded());
    delivery.attempts.push(attempt);
    let mut item = to_item(
        &delivery,
        &keys::webhook_delivery(&endpoint.id, &delivery.ulid),
        "WebhookDelivery",
    )?;
    item.insert(TTL.into(), expiry(now).into());
    ctx.store.put(item, Some(Cond::not_exists(PK))).await?;
    Ok(delivery)
}
