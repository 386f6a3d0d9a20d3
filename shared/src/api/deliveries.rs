//! The integration inbox: `GET /v1/integrations/{integrationId}/deliveries` (newest first,
//! paginated), `GET …/deliveries/{deliveryId}` and `POST …/deliveries/{deliveryId}/replay`.
//! The client and its courier read and replay; anyone else gets 404.

use super::integrations::{can_read, load_any};
use super::records::{from_item, list_page, listing};
use super::webhook::{process, Received};
use crate::domain::api_key::Principal;
use crate::domain::integration::delivery::parse_delivery_id;
use crate::domain::integration::{parse_integration_id, Delivery, Integration, SignatureCheck};
use crate::error::ApiError;
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Query};
use crate::Ctx;

pub async fn list_deliveries(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let limit = page_limit(req.query_param("limit"))?;
    let integration = load_any(ctx, who, req.path_param("integrationId")?).await?;
    let query = Query::partition(keys::integration_pk(&integration.id))
        .sk_begins_with(keys::DELIVERY_PREFIX)
        .descending();
    let (items, next) =
        list_page(ctx.store.as_ref(), query, limit, req.query_param("cursor")).await?;
    let views = items
        .into_iter()
        .map(|i| from_item::<Delivery>(i).map(|d| d.view()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiResponse::ok(&listing(views, next)))
}

pub async fn get_delivery(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let delivery = load_delivery(ctx, who, &req).await?;
    Ok(ApiResponse::ok(&delivery.view()))
}

/// Processes a delivery's stored body again, as a new delivery of the inbox (`replayOf`):
/// a platform order that already made an order makes no second one.
pub async fn replay_delivery(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let original = load_delivery(ctx, who, &req).await?;
    if original.signature != SignatureCheck::Valid {
        return Err(ApiError::conflict(
            "unsigned_delivery",
            "only a delivery whose signature held can be replayed",
        ));
    }
    let Some(body) = original.body.clone() else {
        return Err(ApiError::conflict(
            "body_not_kept",
            "this delivery's body was too large to keep, so it cannot be replayed",
        ));
    };
    let item = ctx
        .store
        .get(&keys::integration(&original.integration_id))
        .await?
        .ok_or(ApiError::NotFound("integration"))?;
    let integration: Integration = from_item(item)?;
    let received = Received {
        headers: original.headers.clone(),
        body: body.into_bytes().into(),
    };
    let delivery = process(
        ctx,
        &integration,
        received,
        Some(original.id.clone()),
        ctx.base_url(&req),
    )
    .await?;
    Ok(ApiResponse::ok(&delivery.view()))
}

async fn load_delivery(ctx: &Ctx, who: &Principal, req: &ApiRequest) -> Result<Delivery, ApiError> {
    let not_found = || ApiError::NotFound("delivery");
    let integration_id =
        parse_integration_id(req.path_param("integrationId")?).ok_or_else(not_found)?;
    let delivery_id = parse_delivery_id(req.path_param("deliveryId")?).ok_or_else(not_found)?;
    let item = ctx
        .store
        .get(&keys::delivery(integration_id, delivery_id))
        .await?
        .ok_or_else(not_found)?;
    let delivery: Delivery = from_item(item)?;
    if !can_read(who, &delivery.courier_id, &delivery.client_id) {
        return Err(not_found());
    }
    Ok(delivery)
}
