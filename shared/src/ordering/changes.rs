//! What every change of an order writes: the change itself at the version it was read, the
//! next version, `updatedAt` and a timeline entry saying who did what.

use super::error::OrderError;
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::ClientId;
use crate::domain::order::{Order, TimelineEntry};
use crate::domain::order_machine::{OrderState, OrderStatus, TaskState};
use crate::store::records::from_item;
use crate::store::{keys, Cond, Index, StoreError, Update};
use crate::Ctx;

/// Who did it, as the timeline records it (`courier:cou_…`, `client:cli_…`).
pub fn actor(who: &Principal) -> String {
    match who.role {
        Role::Courier => format!("courier:{}", who.courier_id),
        Role::Client => format!(
            "client:{}",
            who.client_id
                .as_ref()
                .map(ClientId::as_str)
                .unwrap_or_default()
        ),
    }
}

/// The order changed since it was read.
pub fn stale(current: u64) -> OrderError {
    OrderError::Stale { current }
}

/// `update` plus what every change of an order writes: `updatedAt`, the timeline entry and
/// the next version.
pub fn versioned(update: Update, entry: &TimelineEntry) -> Update {
    update
        .set("updatedAt", entry.at.as_str())
        .append(
            "timeline",
            vec![serde_json::to_value(entry).unwrap_or_default()],
        )
        .increment("version", 1)
}

/// Writes an order change at the version it was read, appending to the timeline; the
/// order as saved.
pub async fn save_change(
    ctx: &Ctx,
    order: &Order,
    update: Update,
    entry: TimelineEntry,
) -> Result<Order, OrderError> {
    let update = versioned(update, &entry);
    let saved = ctx
        .store
        .update(
            &keys::order(order.courier_id.as_str(), &order.id),
            &update,
            Some(Cond::eq("version", order.version)),
        )
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { .. } => stale(order.version + 1),
            e => e.into(),
        })?;
    Ok(from_item(saved)?)
}

/// Sets status and task states that differ from the order's (assignments are dropped
/// when tasks return to unassigned).
pub fn state_update(order: &Order, next: OrderState) -> Update {
    let mut update = Update::new();
    if next.status != order.status {
        update = update.set("status", next.status.as_str());
        if order.status == OrderStatus::Draft {
            // Out of the sparse index of drafts; into the tracking index (a compact draft
            // is not in it).
            update = update
                .remove(Index::Gsi4.pk_attr())
                .remove(Index::Gsi4.sk_attr())
                .set(
                    Index::Gsi3.pk_attr(),
                    keys::tracking_pk(&order.tracking_token).as_str(),
                )
                .set(Index::Gsi3.sk_attr(), keys::TRACKING_SK);
        }
    }
    for (path, before, after) in [
        ("pickup", order.pickup.state, next.pickup),
        ("dropoff", order.dropoff.state, next.dropoff),
    ] {
        if before != after {
            update = update.set(&format!("{path}.state"), after.as_str());
            if after == TaskState::Unassigned {
                update = update
                    .remove(&format!("{path}.driver"))
                    .remove(&format!("{path}.eta"));
            }
        }
    }
    update
}
