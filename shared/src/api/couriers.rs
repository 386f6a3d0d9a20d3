//! Courier organisations are created by the operator (`portal-admin create-courier`).

use super::api_keys::issue_key;
use super::records::to_item;
use crate::clock::timestamp;
use crate::domain::api_key::{NewApiKey, Role};
use crate::domain::courier::Courier;
use crate::domain::ids::CourierId;
use crate::domain::timezone::Timezone;
use crate::domain::{Email, Label, Name};
use crate::error::ApiError;
use crate::store::{keys, Cond, Write, PK};
use crate::Ctx;

/// Creates a courier and its first API key (returned once, here).
pub async fn create_courier(
    ctx: &Ctx,
    name: &str,
    email: &str,
    timezone: &str,
) -> Result<(Courier, NewApiKey), ApiError> {
    let name = Name::parse(name).map_err(|m| ApiError::invalid("name", m))?;
    let email = Email::parse(email).map_err(|m| ApiError::invalid("email", m))?;
    let timezone = Timezone::parse(timezone).map_err(|m| ApiError::invalid("timezone", m))?;
    let now = timestamp(ctx.now());
    let courier = Courier {
        id: CourierId::generate(),
        name: name.to_string(),
        email: email.to_string(),
        timezone: timezone.into(),
        teams: vec![],
        created_at: now.clone(),
        organization: None,
        pending_email: None,
        email_token_hash: None,
    };
    let key = NewApiKey::generate(Role::Courier);
    let mut profile = to_item(&courier, &keys::courier(courier.id.as_str()), "Courier")?;
    profile.insert("activeKeys".into(), 1.into());
    let (_, key_writes) = issue_key(
        &key,
        Role::Courier,
        &courier.id,
        None,
        Label::parse("first key").ok(),
        &now,
    )?;
    let mut writes = vec![Write::Put {
        item: profile,
        cond: Some(Cond::not_exists(PK)),
    }];
    writes.extend(key_writes);
    ctx.store.transact(writes).await?;
    Ok((courier, key))
}
