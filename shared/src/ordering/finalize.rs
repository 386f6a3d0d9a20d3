//! Finalising a draft: quoted again for a client with services, it becomes `placed`, or
//! stays a draft and the answer is 422 with the reasons.

use super::changes::{actor, save_change, state_update};
use super::error::OrderError;
use super::owner::load_client;
use super::quoting;
use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::order::{Order, TimelineEntry};
use crate::domain::order_machine::{transition, Event};
use crate::domain::pricing::Quoting;
use crate::ordering::read::find_order;
use crate::ordering::search::index_writes;
use crate::Ctx;

#[derive(Debug, Clone)]
pub struct FinalizeOrder {
    /// The client that owns the order, or its courier.
    pub by: Principal,
    /// An order id or short id.
    pub order_id: String,
}

pub async fn finalize(ctx: &Ctx, cmd: FinalizeOrder) -> Result<Order, OrderError> {
    let order = find_order(ctx, &cmd.by, &cmd.order_id).await?;
    finalize_loaded(ctx, &cmd.by, order).await
}

/// Finalises an order already read (and checked to be `by`'s), at the version read.
pub async fn finalize_loaded(ctx: &Ctx, by: &Principal, order: Order) -> Result<Order, OrderError> {
    let next = transition(order.state(), Event::Finalize)
        .map_err(|e| OrderError::NotAllowed(e.to_string()))?;
    let mut update = state_update(&order, next);
    // A client knows whether it has services; for a courier, the client item tells.
    if by.role == Role::Courier || by.has_services || order.service_id.is_some() {
        let client = load_client(ctx, &order.courier_id, order.client_id.as_str()).await?;
        let now = ctx.now();
        match quoting::quote(
            client.pricing.as_ref(),
            client.service_selection,
            order.service_id.as_ref(),
            &quoting::shipment(
                order.source,
                &order.pickup.stop,
                &order.dropoff.stop,
                order.weight,
                order.pieces,
            ),
            now,
        )? {
            Quoting::Unpriced => {}
            Quoting::Quoted(quote) => {
                update = update.set("quote", serde_json::to_value(&quote).unwrap_or_default());
            }
            Quoting::Unquotable { reasons, services } => {
                return Err(quoting::unquotable(
                    order.service_id.as_ref(),
                    &reasons,
                    services,
                ))
            }
        }
    }
    if !order.draft_reasons.is_empty() {
        update = update.remove("draftReasons");
    }
    if order.unindexed {
        // An imported draft's search terms, written now (batched, before the order: a
        // failure leaves a draft that search finds, never a placed order it does not).
        ctx.store.write_each(index_writes(&order)?).await?;
        update = update.remove("unindexed");
    }
    let entry = TimelineEntry {
        at: timestamp(ctx.now()),
        what: "placed".into(),
        by: actor(by),
        detail: None,
    };
    save_change(ctx, &order, update, entry).await
}
