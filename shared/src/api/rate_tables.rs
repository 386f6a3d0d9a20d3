//! Rate tables: `POST|GET /v1/rate-tables`, `GET|PATCH|DELETE /v1/rate-tables/{rateTableId}`
//! (courier).

use super::catalog::{self, RateTables};
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

pub async fn create_rate_table(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::create::<RateTables>(ctx, req).await
}

pub async fn list_rate_tables(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::list::<RateTables>(ctx, &req).await
}

pub async fn get_rate_table(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::get::<RateTables>(ctx, req, "rateTableId").await
}

pub async fn update_rate_table(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::update::<RateTables>(ctx, req, "rateTableId").await
}

pub async fn delete_rate_table(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::delete::<RateTables>(ctx, req, "rateTableId").await
}
