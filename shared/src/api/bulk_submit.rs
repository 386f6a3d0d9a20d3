//! `POST /v1/orders/submit`: the HTTP adapter onto [`submit_drafts`]; each order answers
//! for itself.

use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::submit::{submit_drafts, Drafts};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitBody {
    #[serde(default)]
    order_ids: Option<Vec<String>>,
    #[serde(default)]
    import_id: Option<String>,
}

pub async fn submit_orders(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let body: SubmitBody = req.json()?;
    let drafts = match (body.order_ids, body.import_id) {
        (Some(ids), None) => Drafts::Orders(ids),
        (None, Some(import_id)) => Drafts::Import(import_id),
        _ => {
            return Err(ApiError::Invalid {
                code: "invalid_body",
                field: "orderIds".into(),
                message: "send either orderIds or importId".into(),
            })
        }
    };
    let results: Vec<_> = submit_drafts(ctx, who, drafts)
        .await?
        .into_iter()
        .map(|s| match s.outcome {
            Ok(order) => {
                json!({ "orderId": s.order_id, "status": order.status.as_str(), "reasons": [] })
            }
            Err(e) => {
                json!({ "orderId": s.order_id, "status": "error", "reasons": [e.to_string()] })
            }
        })
        .collect();
    Ok(ApiResponse::ok(&json!({ "results": results })))
}
