//! A client's integrations: `POST|GET /v1/integrations`,
//! `GET|PATCH|DELETE /v1/integrations/{integrationId}`. The client manages them; its
//! courier reads them (`GET`, with `clientId` on the list).

use serde::Deserialize;
use serde_json::Value;

use super::records::listing;
use crate::clock::timestamp;
use crate::domain::api_key::Role;
use crate::domain::ids::ClientId;
use crate::domain::integration::secret::{SecretText, StoredSecret};
use crate::domain::integration::{IntegrationStatus, PieceWeight, Platform, MAX_SECRETS};
use crate::domain::Name;
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::integrations::error::IntegrationError;
use crate::integrations::{
    self, client_lists_own, load_active, load_any, new_secret, AddedIntegration,
};
use crate::store::{keys, Cond, Index, StoreError, Update};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewIntegration {
    platform: Platform,
    name: Name,
    #[serde(default)]
    secret: Option<SecretText>,
    #[serde(default)]
    default_weight_per_piece_kg: Option<PieceWeight>,
}

pub async fn create_integration(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = crate::http::client_only(req.admin()?)?;
    let body: NewIntegration = req.json()?;
    let new = integrations::NewIntegration {
        platform: body.platform,
        name: body.name,
        secret: body.secret,
        default_weight_per_piece_kg: body.default_weight_per_piece_kg,
    };
    let AddedIntegration {
        integration,
        generated_secret,
    } = integrations::create_integration(ctx, who, new).await?;
    let mut view = integration.view(&ctx.base_url(&req));
    // A generated secret is shown here, once; a pasted one is already the client's.
    if let Some(secret) = generated_secret {
        view["secret"] = secret.as_str().into();
    }
    Ok(ApiResponse::created(&view)
        .with_header("location", &format!("/v1/integrations/{}", integration.id)))
}

pub async fn list_integrations(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let limit = page_limit(req.query_param("limit"))?;
    let client = match req.query_param("clientId") {
        None => None,
        Some(_) if who.role == Role::Client => return Err(client_lists_own().into()),
        Some(raw) => Some(
            ClientId::parse(raw)
                .map_err(|_| ApiError::invalid("clientId", "is not a client id"))?,
        ),
    };
    let page =
        integrations::list_integrations(ctx, who, client, limit, req.query_param("cursor")).await?;
    let base = ctx.base_url(&req);
    let views = page.integrations.iter().map(|i| i.view(&base)).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

pub async fn get_integration(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let integration = load_active(ctx, who, req.path_param("integrationId")?).await?;
    Ok(ApiResponse::ok(&integration.view(&ctx.base_url(&req))))
}

/// `{"addSecret": {"secret"?}}` adds a second secret (generated when absent, except for
/// Shopify); `{"removeSecret": "sec_…"}` removes one (never the last).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntegrationPatch {
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
    let who = crate::http::client_only(req.admin()?)?;
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
                IntegrationError::Field {
                    problem, message, ..
                } => ApiError::Invalid {
                    code: problem.code(),
                    field: "addSecret.secret".into(),
                    message,
                },
                e => e.into(),
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
    let who = crate::http::client_only(req.admin()?)?;
    let integration = load_any(ctx, who, req.path_param("integrationId")?).await?;
    if integration.status == IntegrationStatus::Deleted {
        return Ok(ApiResponse::no_content());
    }
    let update = Update::new()
        .set("status", "deleted")
        .set("updatedAt", timestamp(ctx.now()).as_str())
        .remove(Index::Gsi1.pk_attr())
        .remove(Index::Gsi1.sk_attr())
        .increment("version", 1);
    ctx.store
        .update(&keys::integration(&integration.id), &update, None)
        .await?;
    Ok(ApiResponse::no_content())
}

fn stale(current: u64) -> ApiError {
    ApiError::conflict("version_conflict", format!("the integration was changed by someone else (now at version {current} or later); read it again"))
}
