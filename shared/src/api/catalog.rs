//! What the services and rate tables routes share: the HTTP adapters onto the catalog use
//! cases (`crate::catalog`), generic over the [`Kind`] of item.

use serde_json::Value;

use super::records::listing;
use crate::error::ApiError;
use crate::http::{page_limit, parse_json, ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

pub use crate::catalog::{entry_item, Kind, RateTables, Services, Stored};

pub async fn create<K: Kind>(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let spec: K::Spec = req.json()?;
    let entry = crate::catalog::create::<K>(ctx, who, spec).await?;
    Ok(ApiResponse::created(&entry.view())
        .with_header("location", &format!("{}/{}", K::PATH, entry.id)))
}

/// The courier's items, oldest first, paginated.
pub async fn list<K: Kind>(ctx: &Ctx, req: &ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = crate::catalog::list::<K>(ctx, who, limit, req.query_param("cursor")).await?;
    let views = page.items.iter().map(|e| e.view()).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

/// The courier's item by id; anyone else's answers 404.
pub async fn load<K: Kind>(ctx: &Ctx, courier_id: &str, raw: &str) -> Result<Stored<K>, ApiError> {
    Ok(crate::catalog::load::<K>(ctx, courier_id, raw).await?)
}

pub async fn get<K: Kind>(ctx: &Ctx, req: ApiRequest, param: &str) -> ApiResult {
    let who = req.courier()?;
    let entry = crate::catalog::read::<K>(ctx, who, req.path_param(param)?).await?;
    Ok(ApiResponse::ok(&entry.view()).with_header("etag", &format!("\"{}\"", entry.version)))
}

/// A merge patch of the top-level fields (`null` removes an optional one), checked as a
/// whole; every client's copy changes in the same transaction.
pub async fn update<K: Kind>(ctx: &Ctx, req: ApiRequest, param: &str) -> ApiResult {
    let who = req.courier()?;
    let mut patch: serde_json::Map<String, Value> = req.json()?;
    let body_version = match patch.remove("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| ApiError::invalid("version", "must be a version number"))?,
        ),
    };
    for read_only in ["id", "clientCount", "createdAt", "updatedAt"] {
        if patch.contains_key(read_only) {
            return Err(ApiError::read_only(read_only));
        }
    }
    let expected = req.expected_version(body_version)?;
    let merge = |spec: &K::Spec| -> Result<K::Spec, ApiError> {
        let Value::Object(mut merged) = serde_json::to_value(spec).unwrap_or_default() else {
            return Err(ApiError::Internal("a stored spec is not a map".into()));
        };
        for (field, value) in patch {
            if value.is_null() {
                merged.remove(&field);
            } else {
                merged.insert(field, value);
            }
        }
        parse_json(&serde_json::to_vec(&Value::Object(merged)).unwrap_or_default())
    };
    let saved = crate::catalog::update_with::<K, ApiError>(
        ctx,
        who,
        req.path_param(param)?,
        expected,
        merge,
    )
    .await?;
    Ok(ApiResponse::ok(&saved.view()))
}

/// Deletes an item no client uses (409 `in_use` otherwise: take it off those clients first).
pub async fn delete<K: Kind>(ctx: &Ctx, req: ApiRequest, param: &str) -> ApiResult {
    let who = req.courier()?;
    crate::catalog::delete::<K>(ctx, who, req.path_param(param)?, None).await?;
    Ok(ApiResponse::no_content())
}
