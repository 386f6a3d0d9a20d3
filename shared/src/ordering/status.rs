//! An order's status changes by hand: the client withdraws or resubmits it, the courier
//! rejects it with a reason. The status machine decides what is allowed.

use super::error::OrderError;
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::order::{Order, Rejection, TimelineEntry};
use crate::domain::order_machine::{transition, Event};
use crate::domain::text::Notes;
use crate::Ctx;

use super::changes::{actor, save_change, state_update};
use super::read::find_order;

#[derive(Debug, Clone)]
pub enum StatusChange {
    /// The client takes the order back (until the courier schedules it).
    Withdraw,
    /// The client sends a rejected order again.
    Resubmit,
    /// The courier refuses the order, saying why.
    Reject { reason: Notes },
}

impl StatusChange {
    fn event(&self) -> Event {
        match self {
            StatusChange::Withdraw => Event::Withdraw,
            StatusChange::Resubmit => Event::Resubmit,
            StatusChange::Reject { .. } => Event::Reject,
        }
    }

    /// The timeline's word for it.
    fn what(&self) -> &'static str {
        match self {
            StatusChange::Withdraw => "withdrawn",
            StatusChange::Resubmit => "resubmitted",
            StatusChange::Reject { .. } => "rejected",
        }
    }
}

/// Loads the order, asks the status machine, and writes the new state at the read version.
pub async fn change_status(
    ctx: &Ctx,
    who: &Principal,
    order_id: &str,
    change: StatusChange,
) -> Result<Order, OrderError> {
    let order = find_order(ctx, who, order_id).await?;
    let next = transition(order.state(), change.event())
        .map_err(|e| OrderError::NotAllowed(e.to_string()))?;
    let at = timestamp(ctx.now());
    let mut update = state_update(&order, next);
    let reason = match &change {
        StatusChange::Reject { reason } => Some(reason.to_string()),
        _ => None,
    };
    if let Some(reason) = &reason {
        let rejection = Rejection {
            reason: reason.clone(),
            at: at.clone(),
        };
        update = update.set(
            "rejection",
            serde_json::to_value(rejection).unwrap_or_default(),
        );
    }
    let entry = TimelineEntry {
        at,
        what: change.what().into(),
        by: actor(who),
        detail: reason,
    };
    save_change(ctx, &order, update, entry).await
}

/// The courier rejects its order, saying why (the client is emailed by the order's stream).
/// A client's caller cannot.
pub async fn reject_order(
    ctx: &Ctx,
    who: &Principal,
    order_id: &str,
    reason: Notes,
) -> Result<Order, OrderError> {
    if who.role != crate::domain::api_key::Role::Courier {
        return Err(OrderError::NotAllowed(
            "only the courier rejects an order".into(),
        ));
    }
    change_status(ctx, who, order_id, StatusChange::Reject { reason }).await
}
