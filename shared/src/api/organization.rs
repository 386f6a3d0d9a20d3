//! `GET|PATCH /v1/settings/organization`: the caller's own organisation (a client's, or the
//! courier's): name, contact email, phone, country, time zone, units, logo. A new email
//! (a client's, or the courier's own) waits for confirmation from that address, as when a
//! courier changes its client's email.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};

use super::clients::{
    courier_name, email_change, limit_confirmation, pending_email_change, send_confirmation, stale,
    stale_if_first_failed, Current, EmailChange,
};
use super::records::from_item;
use crate::clock::timestamp;
use crate::domain::address::CountryCode;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::{Client, ClientStatus};
use crate::domain::courier::Courier;
use crate::domain::settings::{OrganizationProfile, Units};
use crate::domain::timezone::Timezone;
use crate::domain::tracking::LogoUrl;
use crate::domain::{Email, Name, Phone};
use crate::error::ApiError;
use crate::http::{nullable, ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, StoreError, Update, Write, PK};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrganizationPatch {
    #[serde(default)]
    name: Option<Name>,
    #[serde(default)]
    email: Option<Email>,
    #[serde(default, deserialize_with = "nullable")]
    phone: Option<Option<Phone>>,
    #[serde(default, deserialize_with = "nullable")]
    country: Option<Option<CountryCode>>,
    #[serde(default, deserialize_with = "nullable")]
    timezone: Option<Option<Timezone>>,
    #[serde(default)]
    units: Option<Units>,
    #[serde(default, deserialize_with = "nullable")]
    logo_url: Option<Option<LogoUrl>>,
    /// As GET shows it (a client's email waiting for confirmation): accepted back, ignored.
    #[serde(default, rename = "pendingEmail")]
    _pending_email: Option<IgnoredAny>,
}

impl OrganizationPatch {
    fn apply(&self, profile: &OrganizationProfile) -> OrganizationProfile {
        let mut next = profile.clone();
        if let Some(phone) = &self.phone {
            next.phone = phone.clone();
        }
        if let Some(country) = &self.country {
            next.country = country.clone();
        }
        if let Some(timezone) = self.timezone {
            next.timezone = timezone;
        }
        if let Some(units) = self.units {
            next.units = units;
        }
        if let Some(logo) = &self.logo_url {
            next.logo_url = logo.clone();
        }
        next
    }
}

fn view(
    name: &str,
    email: &str,
    pending: Option<&str>,
    timezone: Option<String>,
    org: &OrganizationProfile,
) -> Value {
    let mut view = json!({
        "name": name, "email": email,
        "phone": org.phone, "country": org.country, "timezone": timezone,
        "units": org.units, "logoUrl": org.logo_url,
    });
    if let Some(pending) = pending {
        view["pendingEmail"] = json!(pending);
    }
    view
}

fn client_view(client: &Client) -> Value {
    let org = client.organization_settings();
    view(
        client.name.as_str(),
        client.email.as_str(),
        client.pending_email.as_ref().map(Email::as_str),
        org.timezone.map(String::from),
        &org,
    )
}

fn courier_view(courier: &Courier) -> Value {
    let org = courier.organization.clone().unwrap_or_default();
    view(
        &courier.name,
        &courier.email,
        courier.pending_email.as_deref(),
        Some(courier.timezone.clone()),
        &org,
    )
}

pub async fn get_organization_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    match who.role {
        Role::Client => Ok(ApiResponse::ok(&client_view(
            &load_own_client(ctx, who).await?,
        ))),
        Role::Courier => Ok(ApiResponse::ok(&courier_view(
            &load_courier(ctx, who).await?,
        ))),
    }
}

pub async fn update_organization_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let patch: OrganizationPatch = req.json()?;
    match who.role {
        Role::Client => update_client(ctx, &req, &who, patch).await,
        Role::Courier => update_courier(ctx, &req, &who, patch).await,
    }
}

async fn load_own_client(ctx: &Ctx, who: &Principal) -> Result<Client, ApiError> {
    let client_id = who
        .client_id
        .as_ref()
        .ok_or_else(|| ApiError::Internal("client key without client".into()))?;
    let item = ctx
        .store
        .get(&keys::client(who.courier_id.as_str(), client_id.as_str()))
        .await?
        .ok_or(ApiError::NotFound("client"))?;
    from_item(item)
}

async fn load_courier(ctx: &Ctx, who: &Principal) -> Result<Courier, ApiError> {
    let item = ctx
        .store
        .get(&keys::courier(who.courier_id.as_str()))
        .await?
        .ok_or(ApiError::NotFound("courier"))?;
    from_item(item)
}

async fn update_client(
    ctx: &Ctx,
    req: &ApiRequest,
    who: &Principal,
    patch: OrganizationPatch,
) -> ApiResult {
    // The confirmation is mailed after the write: a function built without SES fails first.
    ctx.mailer()?;
    let client = load_own_client(ctx, who).await?;
    if client.status == ClientStatus::Deleted {
        return Err(ApiError::NotFound("client"));
    }
    let now = ctx.now();
    let mut updated = client.clone();
    let mut update = Update::new();
    if let Some(name) = patch.name.clone().filter(|n| *n != client.name) {
        update = update.set("name", name.as_str());
        updated.name = name;
    }
    let profile = patch.apply(&client.organization_settings());
    if profile != client.organization_settings() {
        update = update.set(
            "organization",
            serde_json::to_value(&profile).unwrap_or_default(),
        );
        updated.organization = Some(profile);
    }
    let change = email_change(&client, patch.email.clone(), now)?;
    limit_confirmation(ctx, client.id.as_str(), &change).await?;
    update.actions.extend(change.update.actions);
    if let Some(pending) = change.pending {
        updated.pending_email = pending;
    }
    if update.actions.is_empty() {
        return Ok(ApiResponse::ok(&client_view(&client)));
    }
    updated.version = client.version + 1;
    updated.updated_at = timestamp(now);
    let update = update
        .set("updatedAt", updated.updated_at.as_str())
        .increment("version", 1);
    let key = keys::client(client.courier_id.as_str(), client.id.as_str());
    let cond = Cond::eq("version", client.version);
    if change.writes.is_empty() {
        ctx.store
            .update(&key, &update, Some(cond))
            .await
            .map_err(|e| match e {
                StoreError::ConditionFailed { .. } => stale(client.version + 1),
                e => e.into(),
            })?;
    } else {
        let mut writes = vec![Write::Update {
            key,
            update,
            cond: Some(cond),
        }];
        writes.extend(change.writes);
        ctx.store
            .transact(writes)
            .await
            .map_err(|e| stale_if_first_failed(e, client.version))?;
    }
    if let Some(confirmation) = change.confirmation {
        let courier = courier_name(ctx, client.courier_id.as_str()).await?;
        send_confirmation(ctx, req, &courier, confirmation).await?;
    }
    Ok(ApiResponse::ok(&client_view(&updated)))
}

async fn update_courier(
    ctx: &Ctx,
    req: &ApiRequest,
    who: &Principal,
    patch: OrganizationPatch,
) -> ApiResult {
    let courier = load_courier(ctx, who).await?;
    let mut updated = courier.clone();
    let mut update = Update::new();
    if let Some(name) = patch.name.as_ref().filter(|n| n.as_str() != courier.name) {
        update = update.set("name", name.as_str());
        updated.name = name.to_string();
    }
    let change = courier_email_change(&courier, patch.email.clone(), ctx.now())?;
    if change.confirmation.is_some() {
        // The confirmation is mailed after the write: a function built without SES fails first.
        ctx.mailer()?;
        limit_confirmation(ctx, courier.id.as_str(), &change).await?;
    }
    update.actions.extend(change.update.actions);
    if let Some(pending) = change.pending {
        updated.pending_email = pending.map(|e| e.to_string());
    }
    if let Some(timezone) = patch.timezone {
        let timezone =
            timezone.ok_or_else(|| ApiError::invalid("timezone", "a courier keeps a time zone"))?;
        let name = String::from(timezone);
        if name != courier.timezone {
            update = update.set("timezone", name.as_str());
            updated.timezone = name;
        }
    }
    let before = courier.organization.clone().unwrap_or_default();
    let mut profile = patch.apply(&before);
    // The courier's zone is its own field.
    profile.timezone = None;
    if profile != before {
        update = update.set(
            "organization",
            serde_json::to_value(&profile).unwrap_or_default(),
        );
        updated.organization = Some(profile);
    }
    if update.actions.is_empty() {
        return Ok(ApiResponse::ok(&courier_view(&courier)));
    }
    let key = keys::courier(who.courier_id.as_str());
    if change.writes.is_empty() {
        ctx.store
            .update(&key, &update, Some(Cond::exists(PK)))
            .await?;
    } else {
        // The courier's pending change and its confirmation record together; the token of
        // the change it replaces is checked to be the one read (a concurrent change wins).
        let guard = match &courier.email_token_hash {
            Some(hash) => Cond::eq("emailTokenHash", hash.as_str()),
            None => Cond::not_exists("emailTokenHash"),
        };
        let mut writes = vec![Write::Update {
            key,
            update,
            cond: Some(Cond::exists(PK).and(guard)),
        }];
        writes.extend(change.writes);
        ctx.store.transact(writes).await.map_err(|e| {
            if e.condition_failed_at(0) || e.is_conflict() {
                ApiError::conflict(
                    "concurrent_update",
                    "the organisation's email was changed at the same time; read it again",
                )
            } else {
                e.into()
            }
        })?;
    }
    if let Some(confirmation) = change.confirmation {
        // The courier's name as it was: a new name is not confirmed by anyone either.
        send_confirmation(ctx, req, &courier.name, confirmation).await?;
    }
    Ok(ApiResponse::ok(&courier_view(&updated)))
}

/// A courier's own email change waits for confirmation from the new address, as a
/// client's does.
fn courier_email_change(
    courier: &Courier,
    email: Option<Email>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<EmailChange, ApiError> {
    let current = Current {
        email: &courier.email.to_lowercase(),
        token_hash: courier.email_token_hash.as_deref(),
        pending: courier.pending_email.is_some(),
    };
    pending_email_change(current, json!({"courierId": courier.id}), email, now)
}
