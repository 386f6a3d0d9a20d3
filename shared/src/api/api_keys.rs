//! `POST|GET /v1/api-keys`, `DELETE /v1/api-keys/{keyId}`: keys of the caller's organisation.

use serde::Deserialize;
use serde_json::json;

use super::records::{from_item, list_page, listing, to_item};
use crate::clock::timestamp;
use crate::domain::api_key::{ApiKeyRecord, NewApiKey, Principal, Role};
use crate::domain::ids::{ClientId, CourierId, KeyId};
use crate::domain::Label;
use crate::error::ApiError;
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, Key, Query, Update, Write, PK};
use crate::Ctx;

/// Active keys an organisation may hold at once.
pub const MAX_ACTIVE_KEYS: i64 = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKeyBody {
    #[serde(default)]
    label: Option<Label>,
}

pub async fn create_api_key(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let body: NewKeyBody = req.json_or_empty()?;
    let key = NewApiKey::generate(who.role);
    let (record, mut writes) = issue_key(
        &key,
        who.role,
        &who.courier_id,
        who.client_id.as_ref(),
        body.label,
        &timestamp(ctx.now()),
    )?;
    writes.push(Write::Update {
        key: org_record(&who),
        update: Update::new().increment("activeKeys", 1),
        cond: Some(Cond::exists(PK).and(below_key_cap())),
    });
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(2) {
            ApiError::conflict("too_many_keys", format!("an organisation can hold at most {MAX_ACTIVE_KEYS} active keys; revoke one first"))
        } else {
            e.into()
        }
    })?;
    Ok(ApiResponse::created(&shown_once(&record, &key)))
}

pub async fn list_api_keys(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let limit = page_limit(req.query_param("limit"))?;
    let query = Query::partition(keys::org_pk(who.org_id()))
        .sk_begins_with(keys::KEY_PREFIX)
        .descending();
    let (items, next) =
        list_page(ctx.store.as_ref(), query, limit, req.query_param("cursor")).await?;
    let views = items
        .into_iter()
        .map(|i| from_item::<ApiKeyRecord>(i).map(|r| view(&r)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiResponse::ok(&listing(views, next)))
}

pub async fn revoke_api_key(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let key_id =
        KeyId::parse(req.path_param("keyId")?).map_err(|_| ApiError::NotFound("API key"))?;
    let org_key = keys::api_key(who.org_id(), key_id.as_str());
    let record: ApiKeyRecord = from_item(
        ctx.store
            .get(&org_key)
            .await?
            .ok_or(ApiError::NotFound("API key"))?,
    )?;
    if record.revoked_at.is_some() {
        return Ok(ApiResponse::no_content());
    }
    let now = timestamp(ctx.now());
    let revoke = Update::new().set("revokedAt", now.as_str());
    let writes = vec![
        Write::Update {
            key: org_key,
            update: revoke.clone(),
            cond: Some(Cond::not_exists("revokedAt")),
        },
        Write::Update {
            key: keys::api_key_secret(&record.hash),
            update: revoke,
            cond: Some(Cond::exists(PK)),
        },
        Write::Update {
            key: org_record(who),
            update: Update::new().increment("activeKeys", -1),
            cond: Some(Cond::exists(PK)),
        },
    ];
    match ctx.store.transact(writes).await {
        Ok(()) => Ok(ApiResponse::no_content()),
        // Revoked by a concurrent request: the outcome the caller asked for.
        Err(e) if e.condition_failed_at(0) => Ok(ApiResponse::no_content()),
        Err(e) => Err(e.into()),
    }
}

/// The writes that store a new key: the authorizer's item (by hash) and the organisation's
/// listing item, both unique. The caller adds the organisation's counter update.
pub fn issue_key(
    key: &NewApiKey,
    role: Role,
    courier_id: &CourierId,
    client_id: Option<&ClientId>,
    label: Option<Label>,
    now: &str,
) -> Result<(ApiKeyRecord, Vec<Write>), ApiError> {
    let record = ApiKeyRecord {
        id: key.id.clone(),
        role,
        courier_id: courier_id.clone(),
        client_id: client_id.cloned(),
        prefix: key.display_prefix(),
        label: label.map(String::from),
        hash: key.hash(),
        created_at: now.to_string(),
        revoked_at: None,
    };
    let org_id = client_id.map_or(courier_id.as_str(), ClientId::as_str);
    let writes = vec![
        Write::Put {
            item: to_item(&record, &keys::api_key_secret(&record.hash), "ApiKeySecret")?,
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Put {
            item: to_item(
                &record,
                &keys::api_key(org_id, record.id.as_str()),
                "ApiKey",
            )?,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    Ok((record, writes))
}

/// The condition that keeps an organisation under [`MAX_ACTIVE_KEYS`].
pub fn below_key_cap() -> Cond {
    Cond::Or(vec![
        Cond::not_exists("activeKeys"),
        Cond::lt("activeKeys", MAX_ACTIVE_KEYS),
    ])
}

/// The item that counts an organisation's keys: the courier's profile or the client.
fn org_record(who: &Principal) -> Key {
    match &who.client_id {
        Some(client) => keys::client(who.courier_id.as_str(), client.as_str()),
        None => keys::courier(who.courier_id.as_str()),
    }
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
