//! The integration inbox: `GET /v1/integrations/{integrationId}/deliveries` (newest first,
//! paginated), `GET …/deliveries/{deliveryId}` and `POST …/deliveries/{deliveryId}/replay`,
//! onto the use cases of `integrations::deliveries`.

use super::records::listing;
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::integrations::deliveries;
use crate::Ctx;

pub async fn list_deliveries(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = deliveries::list_deliveries(
        ctx,
        who,
        req.path_param("integrationId")?,
        limit,
        req.query_param("cursor"),
    )
    .await?;
    let views = page.deliveries.iter().map(|d| d.view()).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

pub async fn get_delivery(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let delivery = deliveries::find_delivery(
        ctx,
        who,
        req.path_param("integrationId")?,
        req.path_param("deliveryId")?,
    )
    .await?;
    Ok(ApiResponse::ok(&delivery.view()))
}

pub async fn replay_delivery(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let delivery = deliveries::replay_delivery(
        ctx,
        who,
        req.path_param("integrationId")?,
        req.path_param("deliveryId")?,
        ctx.base_url(&req),
    )
    .await?;
    Ok(ApiResponse::ok(&delivery.view()))
}
