//! Finalising a draft: it becomes `placed`.

use crate::api::order_actions::state_update;
use crate::api::orders::{actor, apply, load_order};
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::order::{Order, TimelineEntry};
use crate::domain::order_machine::{transition, Event};
use crate::error::ApiError;
use crate::Ctx;

#[derive(Debug, Clone)]
pub struct FinalizeOrder {
    /// The client that owns the order, or its courier.
    pub by: Principal,
    /// An order id or short id.
    pub order_id: String,
}

pub async fn finalize(ctx: &Ctx, cmd: FinalizeOrder) -> Result<Order, ApiError> {
    let order = load_order(ctx, &cmd.by, &cmd.order_id).await?;
    finalize_loaded(ctx, &cmd.by, order).await
}

/// Finalises an order already read (and checked to be `by`'s), at the version read.
pub async fn finalize_loaded(ctx: &Ctx, by: &Principal, order: Order) -> Result<Order, ApiError> {
    let next = transition(order.state(), Event::Finalize)
        .map_err(|e| ApiError::conflict("invalid_state", e.to_string()))?;
    let entry = TimelineEntry {
        at: timestamp(ctx.now()),
        what: "placed".into(),
        by: actor(by),
        detail: None,
    };
    apply(ctx, &order, state_update(&order, next), entry).await
}
