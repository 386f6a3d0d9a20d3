//! An order change's events (a pure function of its two images) and their deliveries,
//! written by the status fan-out once per change and endpoint.

use serde_json::{json, Value};

use super::error::HookError;
use super::worker::expiry;
use crate::clock::timestamp;
use crate::domain::order::{Order, Task};
use crate::domain::order_machine::{OrderStatus, TaskState};
use crate::domain::webhook::{
    event_body, event_ulid, parse_time, Delivery, DeliveryStatus, Endpoint, EventType,
};
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Index, Query, Write, PK, TTL};
use crate::Ctx;

/// One event an order change calls for.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderEvent {
    pub event_type: EventType,
    /// Names the event among the change's (with the order's id and version).
    pub name: String,
    pub data: Value,
}

/// The events a change of an order calls for (`old`: none when the order was just put):
/// `order.created` when it leaves draft (or is put not as a draft), `order.status_changed`
/// (and `order.rejected`) when its status moves, and per task `task.eta` (a new ETA),
/// `task.completed` and `task.failed`. A pure function of the two images.
pub fn order_events(old: Option<&Order>, new: &Order) -> Vec<OrderEvent> {
    let mut events = vec![];
    let order = json!({ "order": new.view() });
    let event = |t: EventType, tag: &str, data: Value| OrderEvent {
        event_type: t,
        name: format!("{}:v{}:{}{tag}", new.id, new.version, t.as_str()),
        data,
    };
    let was_draft = old.is_none_or(|o| o.status == OrderStatus::Draft);
    if new.status != OrderStatus::Draft && was_draft {
        events.push(event(EventType::OrderCreated, "", order.clone()));
    }
    if let Some(old) = old.filter(|_| !was_draft) {
        if old.status != new.status {
            let mut data = order.clone();
            data["previousStatus"] = old.status.as_str().into();
            events.push(event(EventType::OrderStatusChanged, "", data.clone()));
            if new.status == OrderStatus::Rejected {
                events.push(event(EventType::OrderRejected, "", data));
            }
        }
        for (before, after) in [(&old.pickup, &new.pickup), (&old.dropoff, &new.dropoff)] {
            let task = |t: EventType| {
                let mut data = order.clone();
                data["task"] = task_view(after);
                event(t, &format!(":{}", after.kind.as_str()), data)
            };
            if after.eta.is_some() && before.eta != after.eta {
                events.push(task(EventType::TaskEta));
            }
            if before.state != after.state {
                match after.state {
                    TaskState::Completed => events.push(task(EventType::TaskCompleted)),
                    TaskState::Failed => events.push(task(EventType::TaskFailed)),
                    _ => {}
                }
            }
        }
    }
    events
}

fn task_view(task: &Task) -> Value {
    let mut view = serde_json::to_value(task).unwrap_or_default();
    if let Some(map) = view.as_object_mut() {
        map.remove("driver");
        map.remove("location");
    }
    view
}

/// Writes one delivery per event and endpoint of the order's courier and client that is
/// enabled and wants it (two Queries, on the organisations' partitions; nothing when the
/// change calls for no event). Each delivery is put only if absent (the stream redelivers),
/// with its place in the order's lane of that endpoint. Returns how many were written.
pub async fn enqueue_order_events(
    ctx: &Ctx,
    old: Option<&Order>,
    new: &Order,
) -> Result<usize, HookError> {
    let events = order_events(old, new);
    if events.is_empty() {
        return Ok(0);
    }
    let mut endpoints = subscribed(ctx, new.courier_id.as_str()).await?;
    endpoints.extend(subscribed(ctx, new.client_id.as_str()).await?);
    if endpoints.is_empty() {
        return Ok(0);
    }
    let at = parse_time(&new.updated_at).unwrap_or_else(|| ctx.now());
    let mut written = 0;
    for (index, event) in events.iter().enumerate() {
        let ulid = event_ulid(at, index, &event.name);
        let body = event_body(
            event.event_type.as_str(),
            &timestamp(at),
            event.data.clone(),
        );
        for endpoint in endpoints.iter().filter(|e| e.wants(event.event_type)) {
            let delivery = Delivery {
                ulid: ulid.clone(),
                endpoint_id: endpoint.id.clone(),
                org_id: endpoint.org_id.clone(),
                event_type: event.event_type.as_str().into(),
                order_id: Some(new.id.to_string()),
                body: body.clone(),
                status: DeliveryStatus::Pending,
                attempts: vec![],
                failures: 0,
                next_attempt_at: None,
                created_at: timestamp(ctx.now()),
            };
            if put_pending(ctx, delivery).await? {
                written += 1;
            }
        }
    }
    Ok(written)
}

/// The endpoints of a conversation's courier and client that want its messages (two
/// Queries), read before a message is posted so that its deliveries are written in the
/// message's own transaction ([`chat_message_writes`]).
pub async fn chat_endpoints(
    ctx: &Ctx,
    courier_id: &str,
    client_id: &str,
) -> Result<Vec<Endpoint>, HookError> {
    let mut endpoints = subscribed(ctx, courier_id).await?;
    endpoints.extend(subscribed(ctx, client_id).await?);
    endpoints.retain(|e| e.wants(EventType::ChatMessage));
    Ok(endpoints)
}

/// The `chat.message` deliveries of a new message, one per endpoint (`attribute_not_exists`),
/// for the message's transaction: the message is posted with them or not at all. Messages
/// are in no order's lane.
pub fn chat_message_writes(
    endpoints: &[Endpoint],
    message: &crate::domain::chat::Message,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Write>, HookError> {
    let at = parse_time(&message.created_at).unwrap_or(now);
    let ulid = event_ulid(at, 0, &message.id);
    let body = event_body(
        EventType::ChatMessage.as_str(),
        &message.created_at,
        json!({ "message": message.view() }),
    );
    let mut writes = vec![];
    for endpoint in endpoints {
        let delivery = Delivery {
            ulid: ulid.clone(),
            endpoint_id: endpoint.id.clone(),
            org_id: endpoint.org_id.clone(),
            event_type: EventType::ChatMessage.as_str().into(),
            order_id: None,
            body: body.clone(),
            status: DeliveryStatus::Pending,
            attempts: vec![],
            failures: 0,
            next_attempt_at: None,
            created_at: timestamp(now),
        };
        writes.extend(pending_writes(delivery, now)?);
    }
    Ok(writes)
}

/// Puts a new pending delivery, due now, and its place in its order's lane; false when it
/// was there already.
async fn put_pending(ctx: &Ctx, delivery: Delivery) -> Result<bool, HookError> {
    let writes = pending_writes(delivery, ctx.now())?;
    match ctx.store.transact(writes).await {
        Ok(()) => Ok(true),
        Err(e) if e.condition_failed_at(0) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A new pending delivery, due now (`attribute_not_exists`), and its order's lane entry.
fn pending_writes(
    mut delivery: Delivery,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Write>, HookError> {
    let due = timestamp(now);
    delivery.next_attempt_at = Some(due.clone());
    let key = keys::webhook_delivery(&delivery.endpoint_id, &delivery.ulid);
    let mut item = to_item(&delivery, &key, "WebhookDelivery")?;
    item.insert(
        Index::Gsi4.pk_attr().into(),
        keys::webhook_due_pk(&delivery.endpoint_id).into(),
    );
    item.insert(
        Index::Gsi4.sk_attr().into(),
        keys::webhook_due_sk(&due, &delivery.endpoint_id, &delivery.ulid).into(),
    );
    item.insert(TTL.into(), expiry(now).into());
    let mut writes = vec![Write::Put {
        item,
        cond: Some(Cond::not_exists(PK)),
    }];
    if let Some(order) = &delivery.order_id {
        let lane = keys::webhook_lane(&delivery.endpoint_id, order, &delivery.ulid);
        let lane_item = json!({ "ttl": expiry(now) });
        writes.push(Write::Put {
            item: to_item(&lane_item, &lane, "WebhookLane")?,
            cond: None,
        });
    }
    Ok(writes)
}

/// An organisation's enabled endpoints.
async fn subscribed(ctx: &Ctx, org: &str) -> Result<Vec<Endpoint>, HookError> {
    let mut query =
        Query::partition(keys::org_pk(org)).sk_begins_with(keys::WEBHOOK_ENDPOINT_PREFIX);
    let mut endpoints = vec![];
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            let endpoint: Endpoint = from_item(item)?;
            if endpoint.enabled {
                endpoints.push(endpoint);
            }
        }
        match page.last_key {
            Some(last) => query = query.start_after(Some(last)),
            None => break,
        }
    }
    Ok(endpoints)
}
