//! A courier's services and rate tables, which the JSON API (`api::services`,
//! `api::rate_tables`) and the services pages both list, create, read, change and delete
//! through here: typed commands in, the stored item or a [`CatalogError`] out.
//!
//! What services and rate tables share is generic over a [`Kind`]: a change updates every
//! client's copy of the item in one transaction (a client's pricing context keeps a copy
//! of each of its services and rate tables, so that quoting reads only the client), and
//! an item a client uses is not deleted (409 `in_use`, naming the clients).

pub mod error;

pub use error::{CatalogClient, CatalogError};

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::Client;
use crate::domain::ids::{ClientId, CourierId, RateTableId, ServiceId};
use crate::domain::pricing::catalog::Entry;
use crate::domain::pricing::{RateTableSpec, ServiceSpec};
use crate::store::pages::list_page;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Item, Key, Query, StoreError, Update, Write, PK};
use crate::Ctx;

/// How many of the clients using an item a refused deletion names.
pub const NAMED_CLIENTS: usize = 5;

/// A kind of catalog item: services or rate tables.
pub trait Kind {
    type Id: Clone + Ord + Serialize + DeserializeOwned + std::fmt::Display + Send + Sync;
    type Spec: Clone + Serialize + DeserializeOwned + Send + Sync;
    /// For "… not found".
    const WHAT: &'static str;
    const PATH: &'static str;
    const ENTITY: &'static str;
    const SK_PREFIX: &'static str;
    /// Where a client's pricing context keeps the copies (`pricing.<COPIES>.<id>`).
    const COPIES: &'static str;
    fn generate() -> Self::Id;
    fn parse(raw: &str) -> Option<Self::Id>;
    fn key(courier_id: &str, id: &str) -> Key;
    /// What the shape alone does not check.
    fn check(_spec: &Self::Spec) -> Result<(), CatalogError> {
        Ok(())
    }
    /// What may not change while clients use the item.
    fn check_change(_old: &Self::Spec, _new: &Self::Spec) -> Result<(), CatalogError> {
        Ok(())
    }
}

pub struct Services;
pub struct RateTables;

impl Kind for Services {
    type Id = ServiceId;
    type Spec = ServiceSpec;
    const WHAT: &'static str = "service";
    const PATH: &'static str = "/v1/services";
    const ENTITY: &'static str = "Service";
    const SK_PREFIX: &'static str = keys::SERVICE_PREFIX;
    const COPIES: &'static str = "services";
    fn generate() -> ServiceId {
        ServiceId::generate()
    }
    fn parse(raw: &str) -> Option<ServiceId> {
        ServiceId::parse(raw).ok()
    }
    fn key(courier_id: &str, id: &str) -> Key {
        keys::service(courier_id, id)
    }
}

impl Kind for RateTables {
    type Id = RateTableId;
    type Spec = RateTableSpec;
    const WHAT: &'static str = "rate table";
    const PATH: &'static str = "/v1/rate-tables";
    const ENTITY: &'static str = "RateTable";
    const SK_PREFIX: &'static str = keys::RATE_TABLE_PREFIX;
    const COPIES: &'static str = "rateTables";
    fn generate() -> RateTableId {
        RateTableId::generate()
    }
    fn parse(raw: &str) -> Option<RateTableId> {
        RateTableId::parse(raw).ok()
    }
    fn key(courier_id: &str, id: &str) -> Key {
        keys::rate_table(courier_id, id)
    }
    fn check_change(old: &RateTableSpec, new: &RateTableSpec) -> Result<(), CatalogError> {
        if old.currency != new.currency {
            return Err(CatalogError::invalid(
                "currency",
                "cannot change while clients use the rate table (their rates are in one currency)",
            ));
        }
        Ok(())
    }
    fn check(spec: &RateTableSpec) -> Result<(), CatalogError> {
        spec.check()
            .map_err(|(field, message)| CatalogError::invalid(field, message))
    }
}

/// A courier's item as stored, with the clients that hold a copy of it.
pub type Stored<K> = Entry<<K as Kind>::Id, <K as Kind>::Spec>;

pub fn entry_item<K: Kind>(entry: &Stored<K>) -> Result<Item, StoreError> {
    to_item(
        entry,
        &K::key(entry.courier_id.as_str(), &entry.id.to_string()),
        K::ENTITY,
    )
}

/// The caller's courier: services and rate tables are the courier's alone.
pub fn courier_of(who: &Principal) -> Result<&CourierId, CatalogError> {
    match who.role {
        Role::Courier => Ok(&who.courier_id),
        Role::Client => Err(CatalogError::CouriersOnly),
    }
}

/// A new item of the caller's courier.
pub async fn create<K: Kind>(
    ctx: &Ctx,
    who: &Principal,
    spec: K::Spec,
) -> Result<Stored<K>, CatalogError> {
    let courier = courier_of(who)?;
    K::check(&spec)?;
    let now = timestamp(ctx.now());
    let entry: Stored<K> = Entry {
        id: K::generate(),
        courier_id: courier.clone(),
        spec,
        clients: BTreeMap::new(),
        version: 1,
        created_at: now.clone(),
        updated_at: now,
    };
    ctx.store
        .put(entry_item::<K>(&entry)?, Some(Cond::not_exists(PK)))
        .await?;
    Ok(entry)
}

/// One page of the courier's items, oldest first.
pub struct ItemPage<K: Kind> {
    pub items: Vec<Stored<K>>,
    pub next_cursor: Option<String>,
}

pub async fn list<K: Kind>(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    cursor: Option<&str>,
) -> Result<ItemPage<K>, CatalogError> {
    let courier = courier_of(who)?;
    let query = Query::partition(keys::courier_pk(courier.as_str())).sk_begins_with(K::SK_PREFIX);
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let items = items
        .into_iter()
        .map(from_item::<Stored<K>>)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ItemPage { items, next_cursor })
}

/// The courier's item by id; anyone else's (or an id that is not one) is not found.
pub async fn load<K: Kind>(
    ctx: &Ctx,
    courier_id: &str,
    raw: &str,
) -> Result<Stored<K>, CatalogError> {
    let not_found = || CatalogError::NotFound { what: K::WHAT };
    let id = K::parse(raw).ok_or_else(not_found)?;
    let item = ctx
        .store
        .get(&K::key(courier_id, &id.to_string()))
        .await?
        .ok_or_else(not_found)?;
    Ok(from_item(item)?)
}

/// The caller's courier's item by id.
pub async fn read<K: Kind>(
    ctx: &Ctx,
    who: &Principal,
    raw: &str,
) -> Result<Stored<K>, CatalogError> {
    let courier = courier_of(who)?;
    load::<K>(ctx, courier.as_str(), raw).await
}

/// An item replaced by a new spec. `expected_version`: the version the caller read, if it
/// says.
pub struct UpdateItem<'a, K: Kind> {
    pub by: &'a Principal,
    pub id: &'a str,
    pub spec: K::Spec,
    pub expected_version: Option<u64>,
}

/// Replaces an item's spec (the services pages' forms send it whole).
pub async fn update<K: Kind>(ctx: &Ctx, cmd: UpdateItem<'_, K>) -> Result<Stored<K>, CatalogError> {
    let spec = cmd.spec;
    update_with::<K, CatalogError>(ctx, cmd.by, cmd.id, cmd.expected_version, |_| Ok(spec)).await
}

/// Changes an item: `edit` makes the new spec from the stored one (the JSON API's merge
/// patch), checked as a whole; every client's copy changes in the same transaction (a
/// version condition on the item).
pub async fn update_with<K: Kind, E: From<CatalogError>>(
    ctx: &Ctx,
    who: &Principal,
    raw_id: &str,
    expected_version: Option<u64>,
    edit: impl FnOnce(&K::Spec) -> Result<K::Spec, E>,
) -> Result<Stored<K>, E> {
    let courier = courier_of(who)?.clone();
    let entry = load::<K>(ctx, courier.as_str(), raw_id).await?;
    if expected_version.is_some_and(|v| v != entry.version) {
        return Err(CatalogError::Stale {
            what: K::WHAT,
            current: entry.version,
        }
        .into());
    }
    let spec = edit(&entry.spec)?;
    K::check(&spec)?;
    if !entry.clients.is_empty() {
        K::check_change(&entry.spec, &spec)?;
    }
    let at = timestamp(ctx.now());
    let spec_value = serde_json::to_value(&spec)
        .map_err(|e| CatalogError::Internal(format!("a spec did not serialize: {e}")))?;
    let id = entry.id.to_string();
    let mut writes = vec![Write::Update {
        key: K::key(courier.as_str(), &id),
        update: Update::new()
            .set("spec", spec_value.clone())
            .set("updatedAt", at.as_str())
            .increment("version", 1),
        cond: Some(Cond::eq("version", entry.version)),
    }];
    let copy = format!("pricing.{}.{id}", K::COPIES);
    for client in entry.clients.keys() {
        writes.push(Write::Update {
            key: keys::client(courier.as_str(), client.as_str()),
            update: Update::new().set(&copy, spec_value.clone()),
            cond: Some(Cond::exists(&copy)),
        });
    }
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            CatalogError::Stale {
                what: K::WHAT,
                current: entry.version + 1,
            }
        } else if e.is_conflict() || matches!(e, StoreError::TransactionCanceled { .. }) {
            CatalogError::ChangedMeanwhile {
                message: format!(
                    "the {} or a client using it changed at the same time; retry",
                    K::WHAT
                ),
            }
        } else {
            e.into()
        }
    })?;
    Ok(Entry {
        spec,
        version: entry.version + 1,
        updated_at: at,
        ..entry
    })
}

/// Deletes an item no client uses (`InUse` naming them otherwise: take it off those clients
/// first). `expected_version`: the version the caller read, if it says.
pub async fn delete<K: Kind>(
    ctx: &Ctx,
    who: &Principal,
    raw_id: &str,
    expected_version: Option<u64>,
) -> Result<(), CatalogError> {
    let courier = courier_of(who)?;
    let entry = load::<K>(ctx, courier.as_str(), raw_id).await?;
    if expected_version.is_some_and(|v| v != entry.version) {
        return Err(CatalogError::Stale {
            what: K::WHAT,
            current: entry.version,
        });
    }
    if !entry.clients.is_empty() {
        return Err(in_use::<K>(ctx, courier, &entry.clients).await);
    }
    // Giving it to a client bumps its version: the condition closes that race.
    ctx.store
        .delete(
            &K::key(courier.as_str(), &entry.id.to_string()),
            Some(Cond::eq("version", entry.version)),
        )
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { .. } => CatalogError::ChangedMeanwhile {
                message: format!("the {} changed at the same time; read it again", K::WHAT),
            },
            e => e.into(),
        })?;
    Ok(())
}

/// The refusal of a deletion, naming the first clients (by name, one BatchGetItem).
async fn in_use<K: Kind>(
    ctx: &Ctx,
    courier: &CourierId,
    clients: &BTreeMap<ClientId, bool>,
) -> CatalogError {
    let ids: Vec<ClientId> = clients.keys().take(NAMED_CLIENTS).cloned().collect();
    let named = match crate::store::clients::names(ctx.store.as_ref(), courier.as_str(), ids).await
    {
        Ok(named) => named,
        Err(e) => return e.into(),
    };
    CatalogError::InUse {
        what: K::WHAT,
        clients: named,
        count: clients.len(),
    }
}

/// A client of the courier with services to quote (the "Try a quote" panel's choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedClient {
    pub id: ClientId,
    pub name: String,
    pub has_default_pickup: bool,
}

/// How many of the courier's clients the quote panel offers at most.
pub const MAX_PRICED_CLIENTS: usize = 500;

/// The courier's clients (not deleted) that have services, by name.
pub async fn priced_clients(ctx: &Ctx, who: &Principal) -> Result<Vec<PricedClient>, CatalogError> {
    let courier = courier_of(who)?;
    let query =
        Query::partition(keys::courier_pk(courier.as_str())).sk_begins_with(keys::CLIENT_PREFIX);
    let mut cursor: Option<String> = None;
    let mut found = Vec::new();
    loop {
        let (items, next) =
            list_page(ctx.store.as_ref(), query.clone(), 100, cursor.as_deref()).await?;
        for item in items {
            let client: Client = from_item(item)?;
            if client.status != crate::domain::client::ClientStatus::Deleted
                && client.pricing.as_ref().is_some_and(|p| p.has_services())
            {
                found.push(PricedClient {
                    id: client.id,
                    name: client.name.to_string(),
                    has_default_pickup: client.default_pickup.is_some(),
                });
            }
        }
        match next {
            Some(next) if found.len() < MAX_PRICED_CLIENTS => cursor = Some(next),
            _ => break,
        }
    }
    found.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()));
    Ok(found)
}
