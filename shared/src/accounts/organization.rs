//! The caller's own organisation (a client's, or the courier's): name, contact email,
//! phone, country, time zone, units, logo. A new email waits for confirmation from that
//! address ([`email_change`](super::email_change)), as when a courier changes its client's
//! email.

use super::email_change::{
    courier_email_change, email_change, limit_confirmation, send_confirmation, sending_courier,
};
use super::error::{AccountError, AccountField};
use crate::clock::timestamp;
use crate::domain::address::CountryCode;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::{Client, ClientStatus};
use crate::domain::courier::Courier;
use crate::domain::settings::{OrganizationProfile, Units};
use crate::domain::timezone::Timezone;
use crate::domain::tracking::LogoUrl;
use crate::domain::{Email, Name, Phone};
use crate::ordering::FieldProblem;
use crate::store::clients::{changed_meanwhile, save_change};
use crate::store::records::from_item;
use crate::store::{keys, Cond, Update, Write, PK};
use crate::Ctx;

/// An organisation's settings as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationSettings {
    pub name: String,
    pub email: String,
    /// A new email waiting for confirmation from that address.
    pub pending_email: Option<String>,
    pub phone: Option<Phone>,
    pub country: Option<CountryCode>,
    /// A client's own zone (none: it has not set one), or the courier's.
    pub timezone: Option<String>,
    pub units: Units,
    pub logo_url: Option<LogoUrl>,
}

impl OrganizationSettings {
    fn of(
        name: &str,
        email: &str,
        pending: Option<&str>,
        timezone: Option<String>,
        org: OrganizationProfile,
    ) -> Self {
        OrganizationSettings {
            name: name.to_string(),
            email: email.to_string(),
            pending_email: pending.map(str::to_string),
            phone: org.phone,
            country: org.country,
            timezone,
            units: org.units,
            logo_url: org.logo_url,
        }
    }

    fn of_client(client: &Client) -> Self {
        let org = client.organization_settings();
        Self::of(
            client.name.as_str(),
            client.email.as_str(),
            client.pending_email.as_ref().map(Email::as_str),
            org.timezone.map(String::from),
            org,
        )
    }

    fn of_courier(courier: &Courier) -> Self {
        Self::of(
            &courier.name,
            &courier.email,
            courier.pending_email.as_deref(),
            Some(courier.timezone.clone()),
            courier.organization.clone().unwrap_or_default(),
        )
    }
}

/// A change to the caller's organisation: what is `None` stays; `Some(None)` clears an
/// optional setting.
#[derive(Debug, Clone)]
pub struct OrganizationChange {
    pub by: Principal,
    pub name: Option<Name>,
    /// A new email waits for confirmation; the current one cancels a pending change.
    pub email: Option<Email>,
    pub phone: Option<Option<Phone>>,
    pub country: Option<Option<CountryCode>>,
    /// A courier keeps a time zone (clearing it is refused: a field error on `timezone`).
    pub timezone: Option<Option<Timezone>>,
    pub units: Option<Units>,
    pub logo_url: Option<Option<LogoUrl>>,
    /// The portal's base URL, for the link in the confirmation mail of a new email.
    pub base_url: String,
}

impl OrganizationChange {
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

/// The caller's organisation settings (one GetItem: its client, or its courier).
pub async fn organization_settings(
    ctx: &Ctx,
    who: &Principal,
) -> Result<OrganizationSettings, AccountError> {
    match who.role {
        Role::Client => Ok(OrganizationSettings::of_client(
            &load_own_client(ctx, who).await?,
        )),
        Role::Courier => Ok(OrganizationSettings::of_courier(
            &load_courier(ctx, who).await?,
        )),
    }
}

/// Changes the caller's organisation (only what differs is written); the settings after
/// the change. A new email is written with its confirmation record, then mailed
/// ([`AccountError::ConfirmationsLimited`] past the confirmation limits, before anything is
/// written).
pub async fn update_organization_settings(
    ctx: &Ctx,
    change: OrganizationChange,
) -> Result<OrganizationSettings, AccountError> {
    match change.by.role {
        Role::Client => update_client(ctx, change).await,
        Role::Courier => update_courier(ctx, change).await,
    }
}

async fn load_own_client(ctx: &Ctx, who: &Principal) -> Result<Client, AccountError> {
    let client_id = who
        .client_id
        .as_ref()
        .ok_or_else(|| AccountError::Internal("client key without client".into()))?;
    let item = ctx
        .store
        .get(&keys::client(who.courier_id.as_str(), client_id.as_str()))
        .await?
        .ok_or(AccountError::ClientNotFound)?;
    Ok(from_item(item)?)
}

async fn load_courier(ctx: &Ctx, who: &Principal) -> Result<Courier, AccountError> {
    let item = ctx
        .store
        .get(&keys::courier(who.courier_id.as_str()))
        .await?
        .ok_or(AccountError::CourierNotFound)?;
    Ok(from_item(item)?)
}

async fn update_client(
    ctx: &Ctx,
    patch: OrganizationChange,
) -> Result<OrganizationSettings, AccountError> {
    // The confirmation is mailed after the write: a function built without SES fails first.
    ctx.mailer()?;
    let client = load_own_client(ctx, &patch.by).await?;
    if client.status == ClientStatus::Deleted {
        return Err(AccountError::ClientNotFound);
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
        return Ok(OrganizationSettings::of_client(&client));
    }
    updated.version = client.version + 1;
    updated.updated_at = timestamp(now);
    let saved = save_change(
        ctx.store.as_ref(),
        &client,
        update,
        &updated.updated_at,
        change.writes,
    );
    saved.await.map_err(|e| match changed_meanwhile(&e) {
        true => stale(client.version + 1),
        false => e.into(),
    })?;
    if let Some(confirmation) = change.confirmation {
        let courier = sending_courier(ctx, client.courier_id.as_str()).await?;
        send_confirmation(ctx, &patch.base_url, &courier, confirmation).await?;
    }
    Ok(OrganizationSettings::of_client(&updated))
}

async fn update_courier(
    ctx: &Ctx,
    patch: OrganizationChange,
) -> Result<OrganizationSettings, AccountError> {
    let courier = load_courier(ctx, &patch.by).await?;
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
        let timezone = timezone.ok_or_else(|| {
            AccountError::field(
                AccountField::Timezone,
                FieldProblem::Invalid,
                "a courier keeps a time zone",
            )
        })?;
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
        return Ok(OrganizationSettings::of_courier(&courier));
    }
    let key = keys::courier(patch.by.courier_id.as_str());
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
                AccountError::EmailChangedMeanwhile
            } else {
                e.into()
            }
        })?;
    }
    if let Some(confirmation) = change.confirmation {
        // The courier's name as it was: a new name is not confirmed by anyone either.
        send_confirmation(ctx, &patch.base_url, &courier, confirmation).await?;
    }
    Ok(OrganizationSettings::of_courier(&updated))
}

/// A cancelled transaction whose first write (the client at its read version) failed means
/// someone else changed the client.
pub fn stale_if_first_failed(e: crate::store::StoreError, read_version: u64) -> AccountError {
    if e.condition_failed_at(0) {
        stale(read_version + 1)
    } else {
        e.into()
    }
}

/// The client is past the version read: someone else changed it.
pub fn stale(current: u64) -> AccountError {
    AccountError::ClientStale { current }
}
