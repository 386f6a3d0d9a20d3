//! A client's services: `PUT|GET /v1/clients/{clientId}/services` (courier): pairs of a
//! service and the rate table the client pays, at most one per service. The client item
//! keeps a copy of each pair (its pricing context); each service and rate table keeps the
//! set of clients holding a copy, so that a change reaches every copy in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{json, Value};

use super::catalog::{Kind, RateTables, Services, Stored};
use super::clients::load_client;
use super::records::from_item;
use crate::clock::timestamp;
use crate::domain::client::{Client, ClientStatus};
use crate::domain::courier::Courier;
use crate::domain::ids::{ClientId, RateTableId, ServiceId};
use crate::domain::pricing::catalog::{MAX_CLIENTS, MAX_PAIRS};
use crate::domain::pricing::{Pair, PricingContext};
use crate::domain::timezone::Timezone;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, Key, StoreError, Update, Write};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientServices {
    services: Vec<Pair>,
}

pub async fn get_client_services(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let client = load_client(ctx, &who.courier_id, req.path_param("clientId")?).await?;
    Ok(ApiResponse::ok(&view(&client)))
}

/// `{"services": [{"serviceId", "rateTableId", "serviceName", "rateTableName"}]}`.
fn view(client: &Client) -> Value {
    let pairs: Vec<Value> = client
        .pricing
        .iter()
        .flat_map(|p| {
            p.pairs.iter().map(|pair| {
                json!({
                    "serviceId": pair.service_id, "rateTableId": pair.rate_table_id,
                    "serviceName": p.services.get(&pair.service_id).map(|s| s.name.to_string()),
                    "rateTableName": p.rate_tables.get(&pair.rate_table_id).map(|r| r.name.to_string()),
                })
            })
        })
        .collect();
    json!({ "services": pairs })
}

pub async fn put_client_services(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let body: ClientServices = req.json()?;
    let client_id =
        ClientId::parse(req.path_param("clientId")?).map_err(|_| ApiError::NotFound("client"))?;
    check_pairs(&body.services)?;
    let courier = who.courier_id.as_str();
    let service_ids: Vec<&ServiceId> = body.services.iter().map(|p| &p.service_id).collect();
    let table_ids: BTreeSet<&RateTableId> =
        body.services.iter().map(|p| &p.rate_table_id).collect();
    // One read: the client, the courier (its time zone), the services and the rate tables.
    let mut read_keys = vec![
        keys::client(courier, client_id.as_str()),
        keys::courier(courier),
    ];
    read_keys.extend(
        service_ids
            .iter()
            .map(|id| keys::service(courier, id.as_str())),
    );
    read_keys.extend(
        table_ids
            .iter()
            .map(|id| keys::rate_table(courier, id.as_str())),
    );
    let mut found = ctx.store.batch_get(&read_keys).await?.into_iter();
    let client: Client = from_item(found.next().flatten().ok_or(ApiError::NotFound("client"))?)?;
    if client.status == ClientStatus::Deleted {
        return Err(ApiError::NotFound("client"));
    }
    let courier_profile: Option<Courier> = found.next().flatten().map(from_item).transpose()?;
    let timezone = courier_profile
        .and_then(|c| Timezone::parse(&c.timezone).ok())
        .unwrap_or_default();
    let mut services = BTreeMap::new();
    for (i, id) in service_ids.iter().enumerate() {
        let item = found.next().flatten().ok_or_else(|| {
            ApiError::invalid(
                format!("services[{i}].serviceId"),
                "is not one of your services",
            )
        })?;
        services.insert((*id).clone(), from_item::<Stored<Services>>(item)?);
    }
    let mut tables = BTreeMap::new();
    for id in &table_ids {
        let i = body
            .services
            .iter()
            .position(|p| &p.rate_table_id == *id)
            .unwrap_or(0);
        let item = found.next().flatten().ok_or_else(|| {
            ApiError::invalid(
                format!("services[{i}].rateTableId"),
                "is not one of your rate tables",
            )
        })?;
        tables.insert((*id).clone(), from_item::<Stored<RateTables>>(item)?);
    }
    let currencies: BTreeSet<&str> = tables.values().map(|t| t.spec.currency.code()).collect();
    if currencies.len() > 1 {
        return Err(ApiError::invalid(
            "services",
            "a client's rate tables must all be in one currency (prices are compared)",
        ));
    }
    let old = client.pricing.clone();
    let pricing = PricingContext {
        timezone,
        pairs: body.services.clone(),
        services: services
            .iter()
            .map(|(id, s)| (id.clone(), s.spec.clone()))
            .collect(),
        rate_tables: tables
            .iter()
            .map(|(id, t)| (id.clone(), t.spec.clone()))
            .collect(),
    };
    let now = timestamp(ctx.now());
    let mut writes = vec![Write::Update {
        key: keys::client(courier, client_id.as_str()),
        update: if pricing.has_services() {
            Update::new().set(
                "pricing",
                serde_json::to_value(&pricing).unwrap_or_default(),
            )
        } else {
            Update::new().remove("pricing")
        }
        .set("updatedAt", now.as_str())
        .increment("version", 1),
        cond: Some(Cond::eq("version", client.version)),
    }];
    let old_services: BTreeSet<String> = old
        .iter()
        .flat_map(|p| p.services.keys().map(ToString::to_string))
        .collect();
    let old_tables: BTreeSet<String> = old
        .iter()
        .flat_map(|p| p.rate_tables.keys().map(ToString::to_string))
        .collect();
    links::<Services>(&mut writes, courier, &client_id, &services, &old_services)?;
    links::<RateTables>(&mut writes, courier, &client_id, &tables, &old_tables)?;
    ctx.store.transact(writes).await.map_err(|e| match e {
        StoreError::TransactionCanceled { .. } => ApiError::conflict(
            "concurrent_update",
            "the client, or a service or rate table, changed at the same time; retry",
        ),
        e => e.into(),
    })?;
    let saved = Client {
        pricing: pricing.has_services().then_some(pricing),
        ..client
    };
    Ok(ApiResponse::ok(&view(&saved)))
}

/// The writes that keep each item's set of clients: added (the item's version must be the
/// one copied), kept (checked at that version), removed.
fn links<K: Kind>(
    writes: &mut Vec<Write>,
    courier: &str,
    client: &ClientId,
    now_used: &BTreeMap<K::Id, Stored<K>>,
    used_before: &BTreeSet<String>,
) -> Result<(), ApiError> {
    let mark = format!("clients.{client}");
    for (id, entry) in now_used {
        let key: Key = K::key(courier, &id.to_string());
        let version = Cond::eq("version", entry.version);
        if used_before.contains(&id.to_string()) && entry.clients.contains_key(client) {
            writes.push(Write::Check { key, cond: version });
        } else {
            if entry.clients.len() >= MAX_CLIENTS {
                return Err(ApiError::conflict(
                    "too_many_clients",
                    format!(
                        "the {} {id} is already given to {MAX_CLIENTS} clients",
                        K::WHAT
                    ),
                ));
            }
            writes.push(Write::Update {
                key,
                update: Update::new().set(&mark, true).increment("version", 1),
                cond: Some(version),
            });
        }
    }
    for id in used_before {
        if !now_used.keys().any(|k| &k.to_string() == id) {
            writes.push(Write::Update {
                key: K::key(courier, id),
                update: Update::new().remove(&mark).increment("version", 1),
                cond: Some(Cond::exists(crate::store::PK)),
            });
        }
    }
    Ok(())
}

fn check_pairs(pairs: &[Pair]) -> Result<(), ApiError> {
    if pairs.len() > MAX_PAIRS {
        return Err(ApiError::invalid(
            "services",
            format!("a client has at most {MAX_PAIRS} services"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, pair) in pairs.iter().enumerate() {
        if !seen.insert(&pair.service_id) {
            return Err(ApiError::invalid(
                format!("services[{i}].serviceId"),
                "is given twice: a client has one rate table per service",
            ));
        }
    }
    Ok(())
}
