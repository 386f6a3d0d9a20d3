//! Placing many orders at once (imports), without transactions: each order costs one
//! write of its (compact) item plus its two markers, and the writes go in batches.
//!
//! Uniqueness still holds without a race: every order comes with a marker (one per client
//! and sheet row) put only if it does not exist, and its short-id marker, put the same
//! way; only an order whose markers were both written is then put (BatchWriteItem). Its
//! id is new, so that put cannot overwrite anything — except when a marker exists from an
//! import that stopped before its orders (`recovered`): that order is put only if absent.
//! A short-id collision is retried with a new short id; a marker another request wrote
//! first leaves the row to it. The client's item was read (active) when the import
//! started; there is no per-transaction client check any more.

use serde_json::json;

use super::error::OrderError;
use super::place::{default_pickup, price, priced_order};
use super::CreateOrder;
use crate::domain::order::{new_short_id, task_id, Order};
use crate::domain::order_machine::{OrderStatus, TaskKind};
use crate::domain::order_storage::compact;
use crate::ordering::search::index_writes;
use crate::store::orders::{order_item, short_id_marker};
use crate::store::records::to_item;
use crate::store::{Cond, Item, Key, StoreError, Write, PK};
use crate::Ctx;

/// Attempts at a free short id per order.
const SHORT_ID_ATTEMPTS: usize = 4;

/// The order `cmd` describes, priced (a draft with its reasons when it cannot be quoted
/// and may be a draft); nothing is written.
pub fn new_order(
    cmd: &CreateOrder,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Order, OrderError> {
    let pickup = match &cmd.pickup {
        Some(stop) => stop.clone(),
        None => default_pickup(&cmd.owner)?,
    };
    let priced = price(cmd, &pickup, now)?;
    let mut order = priced_order(cmd, &pickup, now, &priced);
    // A draft's search terms are written when it is placed.
    order.unindexed = order.status == OrderStatus::Draft;
    Ok(order)
}

/// Gives the order the id `id` (its tasks' ids follow).
pub fn reuse_id(order: &mut Order, id: String) {
    order.pickup.id = task_id(&id, TaskKind::Pickup);
    order.dropoff.id = task_id(&id, TaskKind::Dropoff);
    order.dropoff.depends_on = Some(order.pickup.id.clone());
    order.id = id;
}

/// One order of a batch.
pub struct BatchOrder {
    pub order: Order,
    /// Holds `{"orderId", "at"}`: one order per sheet row.
    pub marker: Key,
    /// The marker exists already, holding this order's id (an import stopped before
    /// writing the order): it is not written again and the order is put only if absent.
    pub recovered: bool,
}

#[derive(Debug)]
pub enum BatchOutcome {
    Created(Box<Order>),
    /// Another request wrote the marker (or the order) first: nothing was written.
    Taken,
    Failed(OrderError),
}

/// The stored item of a batch-placed order (compact).
pub fn stored_item(order: &Order) -> Result<Item, OrderError> {
    let mut item = order_item(order)?;
    compact(&mut item);
    Ok(item)
}

fn marker_item(b: &BatchOrder) -> Result<Item, OrderError> {
    Ok(to_item(
        &json!({ "orderId": b.order.id, "at": b.order.created_at }),
        &b.marker,
        "OrderMarker",
    )?)
}

fn short_marker(order: &Order) -> Result<Write, OrderError> {
    Ok(Write::Put {
        item: to_item(
            &json!({ "orderId": order.id }),
            &short_id_marker(order),
            "ShortId",
        )?,
        cond: Some(Cond::not_exists(PK)),
    })
}

/// Removes a marker this batch wrote for `order_id`.
fn unmark(key: Key, order_id: &str) -> Write {
    Write::Delete {
        key,
        cond: Some(Cond::eq("orderId", order_id)),
    }
}

/// Writes the orders: markers first (conditional, in parallel), then every order whose
/// markers were written (batched), then the search terms of those that are not drafts.
/// One outcome per order, in order.
pub async fn place_orders(
    ctx: &Ctx,
    mut batch: Vec<BatchOrder>,
) -> Result<Vec<BatchOutcome>, OrderError> {
    let n = batch.len();
    // Short ids distinct within the batch (one call cannot write an item twice).
    let mut shorts = std::collections::HashSet::with_capacity(n);
    for b in batch.iter_mut() {
        while !shorts.insert(b.order.short_id.clone()) {
            b.order.short_id = new_short_id();
        }
    }
    let mut taken = vec![false; n];
    let mut short_ok = vec![false; n];
    // 1. Each row's marker and each order's short id, only if new.
    let mut writes = Vec::with_capacity(2 * n);
    let mut what = Vec::with_capacity(2 * n);
    for (i, b) in batch.iter().enumerate() {
        if !b.recovered {
            writes.push(Write::Put {
                item: marker_item(b)?,
                cond: Some(Cond::not_exists(PK)),
            });
            what.push((i, true));
        }
        writes.push(short_marker(&b.order)?);
        what.push((i, false));
    }
    for ((i, is_marker), outcome) in what.into_iter().zip(ctx.store.write_each(writes).await?) {
        match (is_marker, outcome) {
            (true, Err(StoreError::ConditionFailed { .. })) => taken[i] = true,
            // Throttled, or the store failing: nothing says another request has the row,
            // so the whole call fails (a background import's step is retried, and finds
            // its own markers).
            (true, Err(e)) => return Err(e.into()),
            (false, Ok(())) => short_ok[i] = true,
            _ => {}
        }
    }
    let mut cleanup = Vec::new();
    for i in 0..n {
        if taken[i] && short_ok[i] {
            cleanup.push(unmark(short_id_marker(&batch[i].order), &batch[i].order.id));
        }
    }
    // 2. A short id another order holds: a new one, a few times.
    for _ in 1..SHORT_ID_ATTEMPTS {
        let retry: Vec<usize> = (0..n).filter(|&i| !taken[i] && !short_ok[i]).collect();
        if retry.is_empty() {
            break;
        }
        let mut writes = Vec::with_capacity(retry.len());
        for &i in &retry {
            batch[i].order.short_id = new_short_id();
            while !shorts.insert(batch[i].order.short_id.clone()) {
                batch[i].order.short_id = new_short_id();
            }
            writes.push(short_marker(&batch[i].order)?);
        }
        for (i, outcome) in retry.into_iter().zip(ctx.store.write_each(writes).await?) {
            short_ok[i] = outcome.is_ok();
        }
    }
    let mut outcomes: Vec<Option<BatchOutcome>> = (0..n).map(|_| None).collect();
    for i in 0..n {
        if taken[i] {
            outcomes[i] = Some(BatchOutcome::Taken);
        } else if !short_ok[i] {
            if !batch[i].recovered {
                cleanup.push(unmark(batch[i].marker.clone(), &batch[i].order.id));
            }
            outcomes[i] = Some(BatchOutcome::Failed(OrderError::ConcurrentUpdate));
        }
    }
    // 3. The orders (new ids: unconditional, batched; a recovered one only if absent).
    let ready: Vec<usize> = (0..n).filter(|&i| outcomes[i].is_none()).collect();
    let mut writes = Vec::with_capacity(ready.len());
    for &i in &ready {
        let b = &batch[i];
        writes.push(Write::Put {
            item: stored_item(&b.order)?,
            cond: b.recovered.then(|| Cond::not_exists(PK)),
        });
    }
    let mut terms = Vec::new();
    for (i, outcome) in ready.into_iter().zip(ctx.store.write_each(writes).await?) {
        outcomes[i] = Some(match outcome {
            Ok(()) => {
                let order = &batch[i].order;
                crate::observe::metrics::order_written(order);
                if !order.unindexed {
                    terms.extend(index_writes(order)?);
                }
                BatchOutcome::Created(Box::new(order.clone()))
            }
            Err(StoreError::ConditionFailed { .. }) => BatchOutcome::Taken,
            // The order's markers are written: the call fails, and its retry (or a
            // re-import) writes the order with the marker's id.
            Err(e) => return Err(e.into()),
        });
    }
    // 4. Placed orders' search terms (batched), and markers of orders not written.
    let written_terms = terms.len();
    terms.extend(cleanup);
    if !terms.is_empty() {
        let outcomes = ctx.store.write_each(terms).await?;
        // A search term not written fails the call (its retry puts them again); a
        // marker's removal may find it gone.
        if let Some(Err(e)) = outcomes
            .into_iter()
            .take(written_terms)
            .find(|o| o.is_err())
        {
            return Err(e.into());
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                BatchOutcome::Failed(OrderError::Internal("an order was not placed".into()))
            })
        })
        .collect())
}
