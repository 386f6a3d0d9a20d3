//! A shop order placed (or drafted) through the one order-creation use case, with the
//! markers and the delivery record in its transaction.

use serde_json::json;
use std::sync::Arc;

use crate::domain::integration::{Delivery, Outcome};
use crate::domain::order::{Order, Source};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::order_machine::OrderStatus;
use crate::domain::pricing::Weight;
use crate::domain::shop_order::ShopOrder;
use crate::domain::text::Notes;
use crate::integrations::error::IntegrationError;
use crate::ordering::OrderError;
use crate::ordering::{place_order, CreateOrder, DraftMode, OrderOwner, OrderWrites, Placed};
use crate::store::records::to_item;
use crate::store::{Cond, Key, Write, PK};
use crate::Ctx;

use super::record::{delivery_item, marker_item, record};

/// Places (or drafts) the order through the one order-creation use case, with the markers
/// and the delivery record in its transaction.
pub(super) async fn place(
    ctx: &Ctx,
    delivery: &mut Delivery,
    owner: OrderOwner,
    order: ShopOrder,
    seen_marker: Option<Key>,
    order_marker: Option<Key>,
    base_url: String,
) -> Result<(), IntegrationError> {
    delivery.reasons = order.reasons.clone();
    let cmd = match command(owner, &delivery.integration_id, order, base_url) {
        Ok(cmd) => cmd,
        Err(why) => {
            delivery.outcome = Outcome::Failed;
            delivery.reasons.push(why);
            return record(ctx, delivery, None).await;
        }
    };
    let mut cmd = cmd;
    let template = delivery.clone();
    cmd.order_writes = Some(OrderWrites(Arc::new(move |order: &Order| {
        let done = placed(&template, order);
        let mut writes = vec![];
        // Both markers hold the order's id; either one already there writes nothing.
        if let Some(key) = &seen_marker {
            writes.push(Write::Put {
                item: marker_item(key, &done, Some(&order.id))?,
                cond: Some(Cond::not_exists(PK)),
            });
        }
        if let Some(key) = &order_marker {
            writes.push(Write::Put {
                item: to_item(
                    &json!({ "orderId": order.id, "deliveryId": done.id }),
                    key,
                    "PlatformOrder",
                )?,
                cond: Some(Cond::not_exists(PK)),
            });
        }
        writes.push(Write::Put {
            item: delivery_item(&done)?,
            cond: None,
        });
        Ok(writes)
    })));
    match place_order(ctx, cmd).await {
        Ok(Placed::Created(order)) => {
            *delivery = placed(delivery, &order);
            Ok(())
        }
        Ok(Placed::Refused { .. } | Placed::Replayed { .. }) => {
            // Another delivery of the same platform order won the race.
            delivery.outcome = Outcome::Duplicate;
            delivery
                .reasons
                .push("order_exists: another delivery of this platform order made it".into());
            record(ctx, delivery, None).await
        }
        // The generic body's `serviceId` names a service that cannot take the order.
        Err(OrderError::Unquotable { reasons, .. }) => {
            delivery.outcome = Outcome::Failed;
            delivery.reasons.extend(reasons);
            record(ctx, delivery, None).await
        }
        // What the delivery says cannot make an order (no default pickup, a value out of
        // range…): recorded, answered 200, replayable once fixed.
        Err(e @ OrderError::Field { .. }) => {
            delivery.outcome = Outcome::Failed;
            delivery.reasons.push(e.to_string());
            record(ctx, delivery, None).await
        }
        // Throttling, a conflict after the retries, a fault: not answered 2xx, so the platform
        // delivers again.
        Err(e) => Err(e.into()),
    }
}

/// The delivery once `order` is made: created or drafted, with the draft's reasons.
fn placed(delivery: &Delivery, order: &Order) -> Delivery {
    let mut delivery = delivery.clone();
    delivery.order_id = Some(order.id.clone());
    if order.status == OrderStatus::Draft {
        delivery.outcome = Outcome::Drafted;
        delivery.reasons.extend(order.draft_reasons.iter().cloned());
    } else {
        delivery.outcome = Outcome::Created;
    }
    delivery
}

/// The order-creation command of a shop order: its values checked as the API checks them.
fn command(
    owner: OrderOwner,
    integration_id: &str,
    order: ShopOrder,
    base_url: String,
) -> Result<CreateOrder, String> {
    let mut cmd = CreateOrder::new(
        owner,
        format!("integration:{integration_id}"),
        Source::Integration,
        order.dropoff,
        base_url,
    );
    cmd.pickup = order.pickup;
    cmd.service_id = order.service_id;
    cmd.weight = match (order.weight_grams, order.weight) {
        (Some(grams), _) => Some(Weight::from_grams(grams).map_err(|e| format!("weight: {e}"))?),
        (None, Some(value)) => {
            Some(serde_json::from_value(value).map_err(|e| format!("weight: {e}"))?)
        }
        (None, None) => None,
    };
    cmd.pieces = order
        .pieces
        .map(Pieces::try_from)
        .transpose()
        .map_err(|e| format!("pieces: {e}"))?;
    cmd.notes = order
        .notes
        .map(|n| Notes::parse(&n))
        .transpose()
        .map_err(|e| format!("notes: {e}"))?;
    cmd.external_id = order
        .external_id
        .map(|e| ExternalId::parse(&e))
        .transpose()
        .map_err(|e| format!("externalId: {e}"))?;
    cmd.draft = if order.draft {
        DraftMode::Always
    } else {
        DraftMode::WhenUnquotable
    };
    Ok(cmd)
}
