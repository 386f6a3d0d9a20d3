//! `POST /v1/orders/submit`: many drafts placed at once through the finalize use case;
//! each order answers for itself.

use futures::stream::{self, StreamExt};
use serde::Deserialize;
use serde_json::json;

use crate::api::records::from_item;
use crate::domain::api_key::Role;
use crate::domain::order::{self, Order};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::imports::record::{self, RowStatus};
use crate::ordering::finalize::finalize_loaded;
use crate::store::keys;
use crate::Ctx;

/// The most orders one request submits.
pub const MAX_ORDERS: usize = 500;
/// Orders finalised at the same time.
const CONCURRENCY: usize = 16;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubmitBody {
    #[serde(default)]
    order_ids: Option<Vec<String>>,
    #[serde(default)]
    import_id: Option<String>,
}

pub async fn submit_orders(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let body: SubmitBody = req.json()?;
    let ids: Vec<String> = match (body.order_ids, body.import_id) {
        (Some(ids), None) => {
            if ids.is_empty() || ids.len() > MAX_ORDERS {
                return Err(ApiError::invalid(
                    "orderIds",
                    format!("must list 1 to {MAX_ORDERS} order ids"),
                ));
            }
            ids
        }
        (None, Some(import_id)) => {
            let report =
                record::load(ctx, who.org_id(), &import_id)
                    .await
                    .map_err(|e| match e {
                        ApiError::NotFound(_) => {
                            ApiError::invalid("importId", "is not one of your imports")
                        }
                        e => e,
                    })?;
            report
                .rows
                .into_iter()
                .filter(|r| matches!(r.status, RowStatus::Draft | RowStatus::Updated))
                .filter_map(|r| r.order_id)
                .collect()
        }
        _ => {
            return Err(ApiError::Invalid {
                code: "invalid_body",
                field: "orderIds".into(),
                message: "send either orderIds or importId".into(),
            })
        }
    };
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    // One read for every order (BatchGetItem), then one conditional write each.
    let keys: Vec<_> = unique
        .iter()
        .filter_map(|raw| order::parse_order_id(raw))
        .map(|id| keys::order(who.courier_id.as_str(), &id))
        .collect();
    let mut found = std::collections::HashMap::new();
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
    let results: Vec<_> = stream::iter(unique.into_iter().map(|id| {
        let order = found.remove(&id);
        let who = who.clone();
        async move {
            let outcome = match order {
                None => Err(ApiError::NotFound("order")),
                Some(order) => finalize_loaded(ctx, &who, order).await,
            };
            match outcome {
                Ok(order) => {
                    json!({ "orderId": id, "status": order.status.as_str(), "reasons": [] })
                }
                Err(e) => json!({ "orderId": id, "status": "error", "reasons": [e.to_string()] }),
            }
        }
    }))
    .buffered(CONCURRENCY)
    .collect()
    .await;
    Ok(ApiResponse::ok(&json!({ "results": results })))
}
