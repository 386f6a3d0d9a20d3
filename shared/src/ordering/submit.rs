//! Many drafts placed at once through the finalize use case (the drafts page's bulk submit
//! and `POST /v1/orders/submit`): one read of every order, then one conditional write each;
//! each order answers for itself.

use futures::stream::{self, StreamExt};
use std::collections::HashMap;

use super::error::{OrderError, OrderField};
use crate::domain::api_key::{Principal, Role};
use crate::domain::order::{self, Order};
use crate::imports::record::{self, RowStatus};
use crate::store::keys;
use crate::store::records::from_item;
use crate::Ctx;

use super::finalize::finalize_loaded;

/// The most orders one submission places.
pub const MAX_ORDERS: usize = 500;
/// Orders finalised at the same time.
const CONCURRENCY: usize = 16;

/// Which drafts to submit.
#[derive(Debug, Clone)]
pub enum Drafts {
    /// These orders (ids; 1 to [`MAX_ORDERS`]).
    Orders(Vec<String>),
    /// The drafts an import of the caller's left (new and updated rows).
    Import(String),
}

/// One order's outcome: the order as placed (or still a draft), or why not.
#[derive(Debug)]
pub struct Submitted {
    pub order_id: String,
    pub outcome: Result<Order, OrderError>,
}

pub async fn submit_drafts(
    ctx: &Ctx,
    who: &Principal,
    drafts: Drafts,
) -> Result<Vec<Submitted>, OrderError> {
    let ids = match drafts {
        Drafts::Orders(ids) if ids.is_empty() || ids.len() > MAX_ORDERS => {
            return Err(OrderError::invalid(
                OrderField::OrderIds,
                format!("must list 1 to {MAX_ORDERS} order ids"),
            ));
        }
        Drafts::Orders(ids) => ids,
        Drafts::Import(import_id) => {
            let report = record::read(ctx, who.org_id(), &import_id)
                .await?
                .ok_or_else(|| {
                    OrderError::invalid(OrderField::ImportId, "is not one of your imports")
                })?;
            report
                .rows
                .into_iter()
                .filter(|r| matches!(r.status, RowStatus::Draft | RowStatus::Updated))
                .filter_map(|r| r.order_id)
                .collect()
        }
    };
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    let mut found = read_orders(ctx, who, &unique).await?;
    let submitted = stream::iter(unique.into_iter().map(|order_id| {
        let order = found.remove(&order_id);
        async move {
            let outcome = match order {
                None => Err(OrderError::NotFound),
                Some(order) => finalize_loaded(ctx, who, order).await,
            };
            if let Err(e) = &outcome {
                tracing::warn!(order_id, error = %e, "draft not submitted");
            }
            Submitted { order_id, outcome }
        }
    }))
    .buffered(CONCURRENCY)
    .collect()
    .await;
    Ok(submitted)
}

/// The caller's orders among `ids`, by id (BatchGetItem, 100 at a time).
async fn read_orders(
    ctx: &Ctx,
    who: &Principal,
    ids: &[String],
) -> Result<HashMap<String, Order>, OrderError> {
    let keys: Vec<_> = ids
        .iter()
        .filter_map(|raw| order::parse_order_id(raw))
        .map(|id| keys::order(who.courier_id.as_str(), &id))
        .collect();
    let mut found = HashMap::new();
    for chunk in keys.chunks(100) {
        for item in ctx.store.batch_get(chunk).await?.into_iter().flatten() {
            let order: Order = from_item(item)?;
            let mine =
                who.role == Role::Courier || who.client_id.as_ref() == Some(&order.client_id);
            if mine {
                found.insert(order.id.clone(), order);
            }
        }
    }
    Ok(found)
}
