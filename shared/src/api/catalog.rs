//! What services and rate tables share: a courier's items, created, listed, read, changed
//! (with every client's copy, in one transaction) and deleted (not while a client uses it).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::records::{from_item, list_page, listing, to_item};
use crate::clock::timestamp;
use crate::domain::client::Client;
use crate::domain::ids::{ClientId, RateTableId, ServiceId};
use crate::domain::pricing::catalog::Entry;
use crate::domain::pricing::{RateTableSpec, ServiceSpec};
use crate::error::ApiError;
use crate::http::{page_limit, parse_json, ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, Item, Key, Query, Update, Write, PK};
use crate::Ctx;

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
    fn check(_spec: &Self::Spec) -> Result<(), ApiError> {
        Ok(())
    }
    /// What may not change while clients use the item.
    fn check_change(_old: &Self::Spec, _new: &Self::Spec) -> Result<(), ApiError> {
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
    fn check_change(old: &RateTableSpec, new: &RateTableSpec) -> Result<(), ApiError> {
        if old.currency != new.currency {
            return Err(ApiError::invalid(
                "currency",
                "cannot change while clients use the rate table (their rates are in one currency)",
            ));
        }
        Ok(())
    }
    fn check(spec: &RateTableSpec) -> Result<(), ApiError> {
        spec.check()
            .map_err(|(field, message)| ApiError::invalid(field, message))
    }
}

pub type Stored<K> = Entry<<K as Kind>::Id, <K as Kind>::Spec>;

pub fn entry_item<K: Kind>(entry: &Stored<K>) -> Result<Item, ApiError> {
    to_item(
        entry,
        &K::key(entry.courier_id.as_str(), &entry.id.to_string()),
        K::ENTITY,
    )
}

pub async fn create<K: Kind>(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let spec: K::Spec = req.json()?;
    K::check(&spec)?;
    let now = timestamp(ctx.now());
    let entry: Stored<K> = Entry {
        id: K::generate(),
        courier_id: who.courier_id.clone(),
        spec,
        clients: BTreeMap::new(),
        version: 1,
        created_at: now.clone(),
        updated_at: now,
    };
    ctx.store
        .put(entry_item::<K>(&entry)?, Some(Cond::not_exists(PK)))
        .await?;
    Ok(ApiResponse::created(&entry.view())
        .with_header("location", &format!("{}/{}", K::PATH, entry.id)))
}

/// The courier's items, oldest first, paginated.
pub async fn list<K: Kind>(ctx: &Ctx, req: &ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let limit = page_limit(req.query_param("limit"))?;
    let query =
        Query::partition(keys::courier_pk(who.courier_id.as_str())).sk_begins_with(K::SK_PREFIX);
    let (items, next) =
        list_page(ctx.store.as_ref(), query, limit, req.query_param("cursor")).await?;
    let views = items
        .into_iter()
        .map(|i| from_item::<Stored<K>>(i).map(|e| e.view()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiResponse::ok(&listing(views, next)))
}

/// The courier's item by id; anyone else's answers 404.
pub async fn load<K: Kind>(ctx: &Ctx, courier_id: &str, raw: &str) -> Result<Stored<K>, ApiError> {
    let id = K::parse(raw).ok_or(ApiError::NotFound(K::WHAT))?;
    let item = ctx
        .store
        .get(&K::key(courier_id, &id.to_string()))
        .await?
        .ok_or(ApiError::NotFound(K::WHAT))?;
    from_item(item)
}

pub async fn get<K: Kind>(ctx: &Ctx, req: ApiRequest, param: &str) -> ApiResult {
    let who = req.courier()?;
    let entry = load::<K>(ctx, who.courier_id.as_str(), req.path_param(param)?).await?;
    Ok(ApiResponse::ok(&entry.view()).with_header("etag", &format!("\"{}\"", entry.version)))
}

/// A merge patch of the top-level fields (`null` removes an optional one), checked as a
/// whole; every client's copy changes in the same transaction.
pub async fn update<K: Kind>(ctx: &Ctx, req: ApiRequest, param: &str) -> ApiResult {
    let who = req.courier()?;
    let mut patch: serde_json::Map<String, Value> = req.json()?;
    let body_version = match patch.remove("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| ApiError::invalid("version", "must be a version number"))?,
        ),
    };
    for read_only in ["id", "clientCount", "createdAt", "updatedAt"] {
        if patch.contains_key(read_only) {
            return Err(ApiError::read_only(read_only));
        }
    }
    let expected = req.expected_version(body_version)?;
    let entry = load::<K>(ctx, who.courier_id.as_str(), req.path_param(param)?).await?;
    if expected.is_some_and(|v| v != entry.version) {
        return Err(stale(K::WHAT, entry.version));
    }
    let Value::Object(mut merged) = serde_json::to_value(&entry.spec).unwrap_or_default() else {
        return Err(ApiError::Internal("a stored spec is not a map".into()));
    };
    for (field, value) in patch {
        if value.is_null() {
            merged.remove(&field);
        } else {
            merged.insert(field, value);
        }
    }
    let spec: K::Spec =
        parse_json(&serde_json::to_vec(&Value::Object(merged)).unwrap_or_default())?;
    K::check(&spec)?;
    if !entry.clients.is_empty() {
        K::check_change(&entry.spec, &spec)?;
    }
    let at = timestamp(ctx.now());
    let spec_value = serde_json::to_value(&spec).unwrap_or_default();
    let id = entry.id.to_string();
    let mut writes = vec![Write::Update {
        key: K::key(who.courier_id.as_str(), &id),
        update: Update::new()
            .set("spec", spec_value.clone())
            .set("updatedAt", at.as_str())
            .increment("version", 1),
        cond: Some(Cond::eq("version", entry.version)),
    }];
    let copy = format!("pricing.{}.{id}", K::COPIES);
    for client in entry.clients.keys() {
        writes.push(Write::Update {
            key: keys::client(who.courier_id.as_str(), client.as_str()),
            update: Update::new().set(&copy, spec_value.clone()),
            cond: Some(Cond::exists(&copy)),
        });
    }
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            stale(K::WHAT, entry.version + 1)
        } else if e.is_conflict()
            || matches!(e, crate::store::StoreError::TransactionCanceled { .. })
        {
            ApiError::conflict(
                "concurrent_update",
                format!(
                    "the {} or a client using it changed at the same time; retry",
                    K::WHAT
                ),
            )
        } else {
            e.into()
        }
    })?;
    let saved: Stored<K> = Entry {
        spec,
        version: entry.version + 1,
        updated_at: at,
        ..entry
    };
    Ok(ApiResponse::ok(&saved.view()))
}

/// Deletes an item no client uses (409 `in_use` otherwise: take it off those clients first).
pub async fn delete<K: Kind>(ctx: &Ctx, req: ApiRequest, param: &str) -> ApiResult {
    let who = req.courier()?;
    let entry = load::<K>(ctx, who.courier_id.as_str(), req.path_param(param)?).await?;
    if !entry.clients.is_empty() {
        return Err(in_use::<K>(&entry.clients));
    }
    // Giving it to a client bumps its version: the condition closes that race.
    ctx.store
        .delete(
            &K::key(who.courier_id.as_str(), &entry.id.to_string()),
            Some(Cond::eq("version", entry.version)),
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::ConditionFailed { .. } => ApiError::conflict(
                "concurrent_update",
                format!("the {} changed at the same time; read it again", K::WHAT),
            ),
            e => e.into(),
        })?;
    Ok(ApiResponse::no_content())
}

fn in_use<K: Kind>(clients: &BTreeMap<ClientId, bool>) -> ApiError {
    let listed: Vec<&str> = clients.keys().map(ClientId::as_str).take(5).collect();
    ApiError::conflict(
        "in_use",
        format!(
            "the {} is given to {} client(s) ({}{}): change their services first",
            K::WHAT,
            clients.len(),
            listed.join(", "),
            if clients.len() > listed.len() {
                ", …"
            } else {
                ""
            }
        ),
    )
}

fn stale(what: &str, current: u64) -> ApiError {
    ApiError::conflict(
        "version_conflict",
        format!("the {what} was changed by someone else (now at version {current} or later); read it again"),
    )
}

/// The writes that take a client off every service and rate table it has (its deletion).
pub fn unlink_all(client: &Client) -> Vec<Write> {
    let Some(pricing) = &client.pricing else {
        return vec![];
    };
    let courier = client.courier_id.as_str();
    let unlink = |key: Key| Write::Update {
        key,
        update: Update::new()
            .remove(&format!("clients.{}", client.id))
            .increment("version", 1),
        cond: Some(Cond::exists(crate::store::PK)),
    };
    pricing
        .services
        .keys()
        .map(|id| unlink(keys::service(courier, id.as_str())))
        .chain(
            pricing
                .rate_tables
                .keys()
                .map(|id| unlink(keys::rate_table(courier, id.as_str()))),
        )
        .collect()
}
