//! A client's settings, which the JSON API (`api::settings`) and the settings pages both
//! read and save through here: the text messages its recipients get ([`notifications`])
//! and how its tracking page looks ([`tracking_page`]).

pub mod error;
pub mod notifications;
pub mod tracking_page;

pub use notifications::{
    notification_settings, save_notification_settings, Notifications, SaveNotifications,
    TimezoneFrom,
};
pub use tracking_page::{save_tracking_page_settings, tracking_page_settings};

use serde_json::Value;

use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::client::{Client, ClientStatus};
use crate::domain::ids::ClientId;
use crate::store::records::from_item;
use crate::store::{keys, Cond, Key, StoreError, Update, PK};
use crate::Ctx;
use error::SettingsError;

/// The caller's client: these settings are a client's (a courier is refused, 403).
pub fn client_id(who: &Principal) -> Result<&ClientId, SettingsError> {
    who.client_id
        .as_ref()
        .ok_or(SettingsError::ClientsOnly("this route is for clients"))
}

fn client_key(who: &Principal) -> Result<Key, SettingsError> {
    Ok(keys::client(
        who.courier_id.as_str(),
        client_id(who)?.as_str(),
    ))
}

/// The caller's client as stored.
async fn load_own_client(ctx: &Ctx, who: &Principal) -> Result<Client, SettingsError> {
    Ok(from_item(
        ctx.store
            .get(&client_key(who)?)
            .await?
            .ok_or(SettingsError::ClientNotFound)?,
    )?)
}

/// One UpdateItem: the setting replaces the old one, on a client that is not deleted.
pub async fn save_setting(
    ctx: &Ctx,
    who: &Principal,
    attribute: &str,
    value: Result<Value, serde_json::Error>,
) -> Result<Client, SettingsError> {
    let value = value.map_err(|e| SettingsError::Internal(e.to_string()))?;
    let update = Update::new()
        .set(attribute, value)
        .set("updatedAt", timestamp(ctx.now()))
        .increment("version", 1);
    let cond = Cond::exists(PK).and(Cond::ne("status", ClientStatus::Deleted.as_str()));
    match ctx
        .store
        .update(&client_key(who)?, &update, Some(cond))
        .await
    {
        Ok(item) => Ok(from_item(item)?),
        Err(StoreError::ConditionFailed { .. }) => Err(SettingsError::ClientNotFound),
        Err(e) => Err(e.into()),
    }
}
