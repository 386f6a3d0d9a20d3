//! Status changes of an order: `POST /v1/orders/{orderId}/withdraw|resubmit|finalize`
//! (client; finalize also courier) and `.../reject` (courier).

use serde::Deserialize;

use crate::domain::api_key::Principal;
use crate::domain::text::Notes;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::{
    change_status, finalize, reject_order as reject, FinalizeOrder, StatusChange,
};
use crate::Ctx;

/// `POST /v1/orders/{orderId}/withdraw` (the client's own order).
pub async fn withdraw_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    change(ctx, &req, who, StatusChange::Withdraw).await
}

/// `POST /v1/orders/{orderId}/resubmit` (the client's rejected order).
pub async fn resubmit_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    change(ctx, &req, who, StatusChange::Resubmit).await
}

/// The HTTP adapter onto [`crate::ordering::finalize`].
pub async fn finalize_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let cmd = FinalizeOrder {
        by: req.principal()?.clone(),
        order_id: req.path_param("orderId")?.to_string(),
    };
    let order = finalize(ctx, cmd).await?;
    Ok(ApiResponse::ok(&order.view()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    reason: Notes,
}

/// `POST /v1/orders/{orderId}/reject` (the courier, with a reason): the HTTP adapter onto
/// [`crate::ordering::reject_order`].
pub async fn reject_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let body: RejectBody = req.json()?;
    let order = reject(ctx, who, req.path_param("orderId")?, body.reason).await?;
    Ok(ApiResponse::ok(&order.view()))
}

/// The HTTP adapter onto [`change_status`].
async fn change(ctx: &Ctx, req: &ApiRequest, who: &Principal, change: StatusChange) -> ApiResult {
    let order = change_status(ctx, who, req.path_param("orderId")?, change).await?;
    Ok(ApiResponse::ok(&order.view()))
}
