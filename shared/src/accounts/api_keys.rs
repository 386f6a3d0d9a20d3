//! An organisation's API keys: issue one (its secret shown once), list them newest first,
//! revoke one. The JSON API (`api::api_keys`) and the API settings page both run these, so
//! the rules (at most [`MAX_ACTIVE_KEYS`] active keys, tenant isolation) are written once.

use super::error::AccountError;
use crate::clock::timestamp;
use crate::domain::api_key::{ApiKeyRecord, NewApiKey, Principal, Role};
use crate::domain::ids::{ClientId, CourierId, KeyId};
use crate::domain::Label;
use crate::store::pages::list_page;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Key, Query, Update, Write, PK};
use crate::Ctx;

/// Active keys an organisation may hold at once.
pub const MAX_ACTIVE_KEYS: i64 = 20;

/// A key just issued: its record and its secret, which is shown this once.
pub struct IssuedKey {
    pub record: ApiKeyRecord,
    pub key: NewApiKey,
}

/// A page of an organisation's keys, newest first, and the cursor of what follows.
#[derive(Debug)]
pub struct KeysPage {
    pub keys: Vec<ApiKeyRecord>,
    pub next_cursor: Option<String>,
}

/// Issues a key of the caller's role for the caller's organisation, counted against
/// [`MAX_ACTIVE_KEYS`] ([`AccountError::TooManyKeys`] beyond).
pub async fn create_api_key(
    ctx: &Ctx,
    who: &Principal,
    label: Option<Label>,
) -> Result<IssuedKey, AccountError> {
    let key = NewApiKey::generate(who.role);
    let (record, mut writes) = issue_key(
        &key,
        who.role,
        &who.courier_id,
        who.client_id.as_ref(),
        label,
        &timestamp(ctx.now()),
    )?;
    writes.push(Write::Update {
        key: org_record(who),
        update: Update::new().increment("activeKeys", 1),
        cond: Some(Cond::exists(PK).and(below_key_cap())),
    });
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(2) {
            AccountError::TooManyKeys {
                max: MAX_ACTIVE_KEYS,
            }
        } else {
            e.into()
        }
    })?;
    Ok(IssuedKey { record, key })
}

/// The caller's organisation's keys (revoked ones too), newest first.
pub async fn list_api_keys(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    cursor: Option<&str>,
) -> Result<KeysPage, AccountError> {
    let query = Query::partition(keys::org_pk(who.org_id()))
        .sk_begins_with(keys::KEY_PREFIX)
        .descending();
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let keys = items
        .into_iter()
        .map(from_item::<ApiKeyRecord>)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(KeysPage { keys, next_cursor })
}

/// Revokes one of the caller's organisation's keys; another organisation's key is not
/// found, and revoking a revoked key is done already.
pub async fn revoke_api_key(
    ctx: &Ctx,
    who: &Principal,
    key_id: &KeyId,
) -> Result<(), AccountError> {
    let org_key = keys::api_key(who.org_id(), key_id.as_str());
    let record: ApiKeyRecord = from_item(
        ctx.store
            .get(&org_key)
            .await?
            .ok_or(AccountError::KeyNotFound)?,
    )?;
    if record.revoked_at.is_some() {
        return Ok(());
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
        Ok(()) => Ok(()),
        // Revoked by a concurrent request: the outcome the caller asked for.
        Err(e) if e.condition_failed_at(0) => Ok(()),
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
) -> Result<(ApiKeyRecord, Vec<Write>), AccountError> {
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
