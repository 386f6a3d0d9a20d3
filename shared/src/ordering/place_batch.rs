//! Placing many orders at once (imports): the same orders and writes as [`place_order`],
//! packed into few transactions of up to 100 writes, with one client check per client per
//! transaction. A transaction that fails (a short-id collision, a marker another request
//! wrote meanwhile, a concurrent write) wrote nothing: each of its orders is then placed
//! on its own through [`place_order`], which retries and tells a refused marker apart.

use std::collections::HashSet;

use futures::stream::{self, StreamExt};

use super::place::{client_check, default_pickup, extra_writes, order_writes, price, priced_order};
use super::{place_order, CreateOrder, Placed};
use crate::api::search::index_writes;
use crate::error::ApiError;
use crate::store::{StoreError, Write, MAX_TRANSACTION_WRITES};

/// Transactions in flight at once.
pub const CONCURRENT_TRANSACTIONS: usize = 8;
use crate::Ctx;

/// One result per command, in order. Commands must not carry an idempotency record.
pub async fn place_orders(
    ctx: &Ctx,
    cmds: Vec<CreateOrder>,
) -> Result<Vec<Result<Placed, ApiError>>, ApiError> {
    let now = ctx.now();
    let mut results: Vec<Option<Result<Placed, ApiError>>> =
        (0..cmds.len()).map(|_| None).collect();
    let mut group = Group::default();
    let mut groups = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        let pickup = match &cmd.pickup {
            Some(stop) => stop.clone(),
            None => match default_pickup(&cmd.owner) {
                Ok(stop) => stop,
                Err(e) => {
                    results[i] = Some(Err(e));
                    continue;
                }
            },
        };
        let priced = match price(cmd, &pickup, now) {
            Ok(priced) => priced,
            Err(e) => {
                results[i] = Some(Err(e));
                continue;
            }
        };
        let order = priced_order(cmd, &pickup, now, &priced);
        let mut writes = order_writes(&order)?.to_vec();
        writes.extend(index_writes(&order)?);
        writes.extend(extra_writes(cmd, &order)?);
        let check = client_check(&order);
        let needs_check = !group.clients.contains(&check.key().sk);
        let size = writes.len() + usize::from(needs_check);
        if group.writes.len() + size > MAX_TRANSACTION_WRITES {
            groups.push(std::mem::take(&mut group));
        }
        if !group.clients.contains(&check.key().sk) {
            group.clients.insert(check.key().sk.clone());
            group.writes.push(check);
        }
        group.writes.extend(writes);
        group.orders.push((i, order));
    }
    if !group.orders.is_empty() {
        groups.push(group);
    }
    // A few transactions at a time (DynamoDB takes them in parallel; the embedded store
    // runs them one by one).
    let cmds = &cmds;
    let outcomes: Vec<_> = stream::iter(groups.into_iter().map(|group| async move {
        match ctx.store.transact(group.writes).await {
            Ok(()) => Ok(group
                .orders
                .into_iter()
                .map(|(i, order)| (i, Ok(Placed::Created(Box::new(order)))))
                .collect::<Vec<_>>()),
            Err(StoreError::TransactionCanceled { .. }) => {
                let mut placed = Vec::with_capacity(group.orders.len());
                for (i, _) in group.orders {
                    placed.push((i, place_order(ctx, cmds[i].clone()).await));
                }
                Ok(placed)
            }
            Err(e) => Err(ApiError::from(e)),
        }
    }))
    .buffer_unordered(CONCURRENT_TRANSACTIONS)
    .collect()
    .await;
    for outcome in outcomes {
        for (i, result) in outcome? {
            results[i] = Some(result);
        }
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(ApiError::Internal("an order was not placed".into()))))
        .collect())
}

#[derive(Default)]
struct Group {
    writes: Vec<Write>,
    /// Clients whose check the transaction holds.
    clients: HashSet<String>,
    orders: Vec<(usize, crate::domain::order::Order)>,
}
