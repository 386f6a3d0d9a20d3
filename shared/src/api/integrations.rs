//! A client's integrations: `POST|GET /v1/integrations`,
//! `GET|PATCH|DELETE /v1/integrations/{integrationId}`. The client manages them; its
//! courier reads them (`GET`, with `clientId` on the list).

use serde::Deserialize;
use serde_json::Value;

use super::records::{from_item, list_page, listing, to_item};
use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::ClientId;
use crate::domain::integration::secret::{self, SecretText, StoredSecret};
use crate::domain::integration::{
    new_integration_id, parse_integration_id, Integration, IntegrationStatus, PieceWeight,
    Platform, MAX_SECRETS,
};
use crate::domain::Name;
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, Index, Item, Query, StoreError, Update, PK};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewIntegration {
    platform: Platform,
    name: Name,
    #[serde(default)]
    secret: Option<SecretText>,
    #[serde(default)]
    default_weight_per_piece_kg: Option<PieceWeight>,
}

pub async fn create_integration(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    let body: NewIntegration = req.json()?;
    let (secret, generated) = new_secret(body.platform, body.secret)?;
    let now = timestamp(ctx.now());
    let integration = Integration {
        id: new_integration_id(),
        courier_id: who.courier_id.clone(),
        client_id: own_client(who)?,
        platform: body.platform,
        name: body.name,
        secrets: vec![StoredSecret::new(secret.clone(), now.clone())],
        default_weight_per_piece_kg: body.default_weight_per_piece_kg,
        status: IntegrationStatus::Active,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    ctx.store
        .put(integration_item(&integration)?, Some(Cond::not_exists(PK)))
        .await?;
    let mut view = integration.view(&ctx.base_url(&req));
    // A generated secret is shown here, once; a pasted one is already the client's.
    if generated {
        view["secret"] = secret.as_str().into();
    }
    Ok(ApiResponse::created(&view)
        .with_header("location", &format!("/v1/integrations/{}", integration.id)))
}

/// The secret sent, checked for the platform; or a generated one where the platform allows.
fn new_secret(
    platform: Platform,
    sent: Option<SecretText>,
) -> Result<(SecretText, bool), ApiError> {
    match sent {
        Some(text) => Ok((
            text.for_platform(platform)
                .map_err(|e| ApiError::invalid("secret", e))?,
            false,
        )),
        None if platform.secret_required() => Err(ApiError::Invalid {
            code: "missing_field",
            field: "secret".into(),
            message: "Shopify signs webhooks with your app's client secret: paste it here".into(),
        }),
        None => Ok((secret::generate(), true)),
    }
}

pub async fn list_integrations(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let limit = page_limit(req.query_param("limit"))?;
    let client = match who.role {
        Role::Client => {
            if req.query_param("clientId").is_some() {
                return Err(ApiError::invalid(
                    "clientId",
                    "a client lists its own integrations",
                ));
            }
            own_client(who)?
        }
        Role::Courier => {
            let raw = req
                .query_param("clientId")
                .ok_or_else(|| ApiError::Invalid {
                    code: "missing_field",
                    field: "clientId".into(),
                    message: "a courier lists one client's integrations".into(),
                })?;
            ClientId::parse(raw).map_err(|_| ApiError::invalid("clientId", "is not a client id"))?
        }
    };
    // The index holds every courier's clients' integrations: keep this courier's.
    let query = Query::partition(keys::client_integrations_pk(client.as_str()))
        .on(Index::Gsi1)
        .descending()
        .filter(Some(Cond::eq("courierId", who.courier_id.as_str())));
    let (items, next) =
        list_page(ctx.store.as_ref(), query, limit, req.query_param("cursor")).await?;
    let base = ctx.base_url(&req);
    let views = items
        .into_iter()
        .map(|i| from_item::<Integration>(i).map(|i| i.view(&base)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiResponse::ok(&listing(views, next)))
}

pub async fn get_integration(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let integration = load_active(ctx, who, req.path_param("integrationId")?).await?;
    Ok(ApiResponse::ok(&integration.view(&ctx.base_url(&req))))
}

/// `{"addSecret": {"secret"?}}` adds a second secret (generated when absent, except for
/// Shopify); `{"removeSecret": "sec_…"}` removes one (never the last).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IntegrationPatch {
    #[serde(default)]
    name: Option<Name>,
    #[serde(default, deserialize_with = "nullable")]
    default_weight_per_piece_kg: Option<Option<PieceWeight>>,
    #[serde(default)]
    add_secret: Option<AddSecret>,
    #[serde(default)]
    remove_secret: Option<String>,
    #[serde(default)]
    version: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddSecret {
    #[serde(default)]
    secret: Option<SecretText>,
}

pub async fn update_integration(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    let patch: IntegrationPatch = req.json()?;
    let expected = req.expected_version(patch.version)?;
    let integration = load_active(ctx, who, req.path_param("integrationId")?).await?;
    if expected.is_some_and(|v| v != integration.version) {
        return Err(stale(integration.version));
    }
    let now = timestamp(ctx.now());
    let mut updated = integration.clone();
    if let Some(name) = patch.name {
        updated.name = name;
    }
    if let Some(weight) = patch.default_weight_per_piece_kg {
        updated.default_weight_per_piece_kg = weight;
    }
    if let Some(id) = &patch.remove_secret {
        let before = updated.secrets.len();
        updated.secrets.retain(|s| &s.id != id);
        if updated.secrets.len() == before {
            return Err(ApiError::invalid(
                "removeSecret",
                "is not one of this integration's secrets",
            ));
        }
        if updated.secrets.is_empty() {
            return Err(ApiError::invalid(
                "removeSecret",
                "is the only secret: add the new one first",
            ));
        }
    }
    let mut generated = None;
    if let Some(add) = patch.add_secret {
        if updated.secrets.len() >= MAX_SECRETS {
            return Err(ApiError::invalid(
                "addSecret",
                "an integration has at most two secrets: remove the old one first",
            ));
        }
        let (secret, was_generated) =
            new_secret(updated.platform, add.secret).map_err(|e| match e {
                ApiError::Invalid { code, message, .. } => ApiError::Invalid {
                    code,
                    field: "addSecret.secret".into(),
                    message,
                },
                e => e,
            })?;
        if was_generated {
            generated = Some(secret.clone());
        }
        updated.secrets.push(StoredSecret::new(secret, now.clone()));
    }
    if updated == integration {
        return Ok(ApiResponse::ok(&integration.view(&ctx.base_url(&req))));
    }
    updated.version += 1;
    updated.updated_at = now;
    let update = Update::new()
        .set("name", updated.name.as_str())
        .set_or_remove(
            "defaultWeightPerPieceKg",
            updated
                .default_weight_per_piece_kg
                .map(|w| Value::from(f64::from(w))),
        )
        .set(
            "secrets",
            serde_json::to_value(&updated.secrets).unwrap_or_default(),
        )
        .set("updatedAt", updated.updated_at.as_str())
        .increment("version", 1);
    ctx.store
        .update(
            &keys::integration(&integration.id),
            &update,
            Some(Cond::eq("version", integration.version)),
        )
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { .. } => stale(integration.version + 1),
            e => e.into(),
        })?;
    let mut view = updated.view(&ctx.base_url(&req));
    if let Some(secret) = generated {
        view["secret"] = secret.as_str().into();
    }
    Ok(ApiResponse::ok(&view))
}

/// Deletes an integration: it leaves the list, and its deliveries are kept and answered
/// `refused` (200, so the platform does not disable the webhook). Its inbox stays readable.
pub async fn delete_integration(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    let integration = load_any(ctx, who, req.path_param("integrationId")?).await?;
    if integration.status == IntegrationStatus::Deleted {
        return Ok(ApiResponse::no_content());
    }
    let update = Update::new()
        .set("status", "deleted")
        .set("updatedAt", timestamp(ctx.now()).as_str())
        .remove("GSI1PK")
        .remove("GSI1SK")
        .increment("version", 1);
    ctx.store
        .update(&keys::integration(&integration.id), &update, None)
        .await?;
    Ok(ApiResponse::no_content())
}

/// The caller's integration (deleted ones too: their inbox stays readable); another
/// tenant's answers 404 like a missing one.
pub async fn load_any(ctx: &Ctx, who: &Principal, raw: &str) -> Result<Integration, ApiError> {
    let not_found = || ApiError::NotFound("integration");
    let id = parse_integration_id(raw).ok_or_else(not_found)?;
    let item = ctx.store.get(&keys::integration(id)).await?;
    let integration: Integration = from_item(item.ok_or_else(not_found)?)?;
    if !can_read(who, &integration.courier_id, &integration.client_id) {
        return Err(not_found());
    }
    Ok(integration)
}

async fn load_active(ctx: &Ctx, who: &Principal, raw: &str) -> Result<Integration, ApiError> {
    let integration = load_any(ctx, who, raw).await?;
    if integration.status == IntegrationStatus::Deleted {
        return Err(ApiError::NotFound("integration"));
    }
    Ok(integration)
}

/// The client itself, or its courier.
pub fn can_read(
    who: &Principal,
    courier_id: &crate::domain::ids::CourierId,
    client_id: &ClientId,
) -> bool {
    who.courier_id == *courier_id
        && (who.role == Role::Courier || who.client_id.as_ref() == Some(client_id))
}

fn own_client(who: &Principal) -> Result<ClientId, ApiError> {
    who.client_id
        .clone()
        .ok_or_else(|| ApiError::Internal("client key without client".into()))
}

pub fn integration_item(integration: &Integration) -> Result<Item, ApiError> {
    let mut item = to_item(
        integration,
        &keys::integration(&integration.id),
        "Integration",
    )?;
    item.insert(
        "GSI1PK".into(),
        keys::client_integrations_pk(integration.client_id.as_str()).into(),
    );
    item.insert(
        "GSI1SK".into(),
        keys::integration_index_sk(&integration.id).into(),
    );
    Ok(item)
}

fn stale(current: u64) -> ApiError {
    ApiError::conflict("version_conflict", format!("the integration was changed by someone else (now at version {current} or later); read it again"))
}
