//! Processing a delivery whose signature holds (or a replay): the second read, the
//! decision ([`decide`], pure) and the one write that applies it.

use serde_json::Value;

use crate::domain::client::{Client, ClientStatus};
use crate::domain::integration::{Delivery, Integration, IntegrationStatus};
use crate::domain::shop_order::{self, Incoming, ShopEvent};
use crate::integrations::error::IntegrationError;
use crate::ordering::OrderOwner;
use crate::store::keys;
use crate::store::records::from_item;
use crate::Ctx;

use super::decide::{decide, Decision, Facts, Seen};
use super::place::place;
use super::received::{Received, MAX_KEPT_BODY};
use super::record::record;
use super::withdraw::withdraw;

/// Processes a delivery whose signature holds (or a replay of one): the second read and
/// the one write of the webhook.
pub async fn process(
    ctx: &Ctx,
    integration: &Integration,
    received: Received,
    replay_of: Option<String>,
    base_url: String,
) -> Result<Delivery, IntegrationError> {
    let mut delivery = received.delivery(ctx, integration);
    delivery.replay_of = replay_of.clone();
    if delivery.body.is_none() {
        delivery.reasons = vec![format!(
            "body_too_large: the body is larger than {MAX_KEPT_BODY} bytes"
        )];
        record(ctx, &delivery, None).await?;
        return Ok(delivery);
    }
    let body: Option<Value> = serde_json::from_slice(&received.body).ok();
    let event = match (received.topic(integration.platform), &body) {
        (None, _) => ShopEvent::Ignore(vec!["topic_missing: the delivery names no topic".into()]),
        (Some(_), None) => {
            ShopEvent::Unreadable(vec!["body_not_json: the body is not JSON".into()])
        }
        (Some(topic), Some(body)) => shop_order::map(&Incoming {
            platform: integration.platform,
            topic,
            body,
            default_piece_grams: integration.default_weight_per_piece_kg.map(|w| w.grams()),
        }),
    };
    // A replay is processed again on purpose: only the platform order's marker holds.
    let seen_marker = match replay_of {
        None => received
            .dedupe_hash(integration.platform, body.as_ref())
            .map(|hash| keys::delivery_marker(&integration.id, &hash)),
        Some(_) => None,
    };
    let order_marker = match &event {
        ShopEvent::Create(order) => order.platform_order_id.as_deref(),
        ShopEvent::Cancel { platform_order_id } => Some(platform_order_id.as_str()),
        _ => None,
    }
    .map(|id| keys::platform_order(&integration.id, id));
    let mut reads = vec![keys::client(
        integration.courier_id.as_str(),
        integration.client_id.as_str(),
    )];
    reads.extend(seen_marker.clone());
    reads.extend(order_marker.clone());
    let mut found = ctx.store.batch_get(&reads).await?.into_iter();
    let client: Option<Client> = found.next().flatten().map(from_item).transpose()?;
    let seen = match &seen_marker {
        Some(_) => found.next().flatten().map(|first| Seen {
            delivery_id: text(&first, "deliveryId"),
            order_id: text(&first, "orderId"),
        }),
        None => None,
    };
    let made = match &order_marker {
        Some(_) => found.next().flatten().and_then(|m| text(&m, "orderId")),
        None => None,
    };
    let decision = decide(Facts {
        event,
        seen,
        integration_deleted: integration.status == IntegrationStatus::Deleted,
        integrations_on: client
            .as_ref()
            .is_some_and(|c| c.integrations_enabled && c.status != ClientStatus::Deleted),
        made,
    });
    match decision {
        Decision::Record {
            outcome,
            reasons,
            order_id,
            mark_seen,
        } => {
            delivery.outcome = outcome;
            delivery.reasons = reasons;
            delivery.order_id = order_id;
            record(ctx, &delivery, seen_marker.filter(|_| mark_seen)).await?;
        }
        Decision::Withdraw { order_id } => {
            withdraw(ctx, &mut delivery, &order_id, seen_marker).await?
        }
        Decision::Place(order) => {
            let client =
                client.ok_or_else(|| IntegrationError::Internal("decided on a client".into()))?;
            place(
                ctx,
                &mut delivery,
                OrderOwner::of_client(&client),
                *order,
                seen_marker,
                order_marker,
                base_url,
            )
            .await?;
        }
    }
    Ok(delivery)
}

fn text(item: &crate::store::Item, name: &str) -> Option<String> {
    item.get(name).and_then(Value::as_str).map(str::to_string)
}
