//! A shop cancellation: the order is withdrawn while its state allows, else flagged.

use crate::domain::integration::{Delivery, Outcome};
use crate::domain::order::TimelineEntry;
use crate::domain::order_machine::{transition, Event, OrderState, OrderStatus};
use crate::integrations::error::IntegrationError;
use crate::ordering::changes::versioned;
use crate::store::keys;
use crate::store::{Cond, Key, Update, Write};
use crate::Ctx;

use super::record::{delivery_item, marker_item, record};

/// A cancellation: the order is withdrawn when its state allows (the status machine's
/// states for `Withdraw`, checked in the write), else flagged in the inbox.
pub(super) async fn withdraw(
    ctx: &Ctx,
    delivery: &mut Delivery,
    order_id: &str,
    seen_marker: Option<Key>,
) -> Result<(), IntegrationError> {
    let withdrawable: Vec<&str> = OrderStatus::ALL
        .into_iter()
        .filter(|s| transition(OrderState::new(*s), Event::Withdraw).is_ok())
        .map(OrderStatus::as_str)
        .collect();
    let entry = TimelineEntry {
        at: delivery.received_at.clone(),
        what: "withdrawn".into(),
        by: format!("integration:{}", delivery.integration_id),
        detail: Some("cancelled in the shop".into()),
    };
    delivery.order_id = Some(order_id.to_string());
    delivery.outcome = Outcome::Withdrawn;
    let mut writes = vec![
        Write::Update {
            key: keys::order(delivery.courier_id.as_str(), order_id),
            update: versioned(
                Update::new().set("status", OrderStatus::Withdrawn.as_str()),
                &entry,
            ),
            cond: Some(
                Cond::one_of("status", withdrawable)
                    .and(Cond::eq("clientId", delivery.client_id.as_str())),
            ),
        },
        Write::Put {
            item: delivery_item(delivery)?,
            cond: None,
        },
    ];
    if let Some(key) = &seen_marker {
        writes.push(Write::Put {
            item: marker_item(key, delivery, Some(order_id))?,
            cond: None,
        });
    }
    match ctx.store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(e) if e.condition_failed_at(0) => {
            delivery.outcome = Outcome::Flagged;
            delivery.reasons = vec![format!(
                "not_withdrawable: {order_id} is scheduled, under way, done or already withdrawn; ask the courier"
            )];
            record(ctx, delivery, seen_marker).await
        }
        Err(e) => Err(e.into()),
    }
}
