//! `POST|GET /v1/api-keys`, `DELETE /v1/api-keys/{keyId}`: keys of the caller's organisation.

use serde::Deserialize;
use serde_json::json;

use super::records::listing;
use crate::accounts::api_keys::{self, IssuedKey};
use crate::domain::api_key::{ApiKeyRecord, NewApiKey};
use crate::domain::ids::KeyId;
use crate::domain::Label;
use crate::error::ApiError;
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

pub use crate::accounts::api_keys::{below_key_cap, issue_key, MAX_ACTIVE_KEYS};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKeyBody {
    #[serde(default)]
    label: Option<Label>,
}

pub async fn create_api_key(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let body: NewKeyBody = req.json_or_empty()?;
    let IssuedKey { record, key } = api_keys::create_api_key(ctx, who, body.label).await?;
    Ok(ApiResponse::created(&shown_once(&record, &key)))
}

pub async fn list_api_keys(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = api_keys::list_api_keys(ctx, who, limit, req.query_param("cursor")).await?;
    let views = page.keys.iter().map(view).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

pub async fn revoke_api_key(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let key_id =
        KeyId::parse(req.path_param("keyId")?).map_err(|_| ApiError::NotFound("API key"))?;
    api_keys::revoke_api_key(ctx, who, &key_id).await?;
    Ok(ApiResponse::no_content())
}

pub fn view(record: &ApiKeyRecord) -> serde_json::Value {
    let mut v = json!({ "id": record.id, "role": record.role, "prefix": record.prefix, "createdAt": record.created_at });
    if let Some(label) = &record.label {
        v["label"] = label.as_str().into();
    }
    if let Some(revoked) = &record.revoked_at {
        v["revokedAt"] = revoked.as_str().into();
    }
    v
}

/// A new key's response: the only time the secret is shown.
pub fn shown_once(record: &ApiKeyRecord, key: &NewApiKey) -> serde_json::Value {
    let mut v = view(record);
    v["key"] = key.secret.as_str().into();
    v
}
