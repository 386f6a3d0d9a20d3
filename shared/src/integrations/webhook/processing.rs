//! Processing a delivery whose signature holds (or a replay): the second read and the one
//! write of the webhook.

use serde_json::Value;

use crate::domain::client::{Client, ClientStatus};
use crate::domain::integration::{Delivery, Integration, IntegrationStatus, Outcome};
use crate::domain::shop_order::{self, Incoming, ShopEvent};
use crate::error::ApiError;
use crate::ordering::OrderOwner;
use crate::store::keys;
use crate::store::records::from_item;
use crate::Ctx;

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
) -> Result<Delivery, ApiError> {
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
        Some(_) => found.next().flatten(),
        None => None,
    };
    let made: Option<String> = match &order_marker {
        Some(_) => found
            .next()
            .flatten()
            .and_then(|m| m.get("orderId")?.as_str().map(str::to_string)),
        None => None,
    };

    if let Some(first) = seen {
        delivery.outcome = Outcome::Duplicate;
        delivery.order_id = first
            .get("orderId")
            .and_then(Value::as_str)
            .map(str::to_string);
        delivery.reasons = vec![format!(
            "redelivery: already received as {}",
            first
                .get("deliveryId")
                .and_then(Value::as_str)
                .unwrap_or("an earlier delivery")
        )];
        record(ctx, &delivery, None).await?;
        return Ok(delivery);
    }
    let refusal = if integration.status == IntegrationStatus::Deleted {
        Some("integration_deleted: the client deleted this integration")
    } else if !client
        .as_ref()
        .is_some_and(|c| c.integrations_enabled && c.status != ClientStatus::Deleted)
    {
        Some("integrations_disabled: the courier has not turned integrations on for this client")
    } else {
        None
    };
    if let Some(why) = refusal {
        delivery.outcome = Outcome::Refused;
        delivery.reasons = vec![why.into()];
        record(ctx, &delivery, None).await?;
        return Ok(delivery);
    }
    let client = client.ok_or_else(|| ApiError::Internal("checked above".into()))?;
    match event {
        ShopEvent::Ignore(reasons) => {
            delivery.outcome = Outcome::Ignored;
            delivery.reasons = reasons;
            record(ctx, &delivery, seen_marker).await?;
        }
        ShopEvent::Unreadable(reasons) => {
            delivery.outcome = Outcome::Failed;
            delivery.reasons = reasons;
            record(ctx, &delivery, None).await?;
        }
        ShopEvent::Cancel { platform_order_id } => match made {
            Some(order_id) => withdraw(ctx, &mut delivery, &order_id, seen_marker).await?,
            None => {
                delivery.outcome = Outcome::Ignored;
                delivery.reasons = vec![format!(
                    "no_order: no order was made from platform order {platform_order_id}"
                )];
                record(ctx, &delivery, seen_marker).await?;
            }
        },
        ShopEvent::Create(order) => match made {
            Some(order_id) => {
                delivery.outcome = Outcome::Duplicate;
                delivery.reasons = vec![format!(
                    "order_exists: {order_id} was already made from this platform order"
                )];
                delivery.order_id = Some(order_id);
                record(ctx, &delivery, seen_marker).await?;
            }
            None => {
                let owner = OrderOwner::of_client(&client);
                place(
                    ctx,
                    &mut delivery,
                    owner,
                    *order,
                    seen_marker,
                    order_marker,
                    base_url,
                )
                .await?;
            }
        },
    }
    Ok(delivery)
}
