//! A client's services: pairs of a service and the rate table the client pays, at most one
//! per service. The client item keeps a copy of each pair (its pricing context); each
//! service and rate table keeps the set of clients holding a copy, so that a change reaches
//! every copy in one transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use super::access::courier_of;
use super::error::ClientError;
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::client::{Client, ClientStatus};
use crate::domain::courier::Courier;
use crate::domain::ids::{ClientId, RateTableId, ServiceId};
use crate::domain::pricing::catalog::{Entry, RateTable, Service, MAX_CLIENTS, MAX_PAIRS};
use crate::domain::pricing::{Pair, PricingContext};
use crate::domain::timezone::Timezone;
use crate::store::pages::list_page;
use crate::store::records::from_item;
use crate::store::{keys, Cond, Key, Query, StoreError, Update, Write};
use crate::Ctx;

/// One of a client's pairs, with the names of its service and rate table as copied.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePair {
    pub service_id: ServiceId,
    pub rate_table_id: RateTableId,
    pub service_name: Option<String>,
    pub rate_table_name: Option<String>,
}

/// The client's pairs, in the order they were set.
pub fn client_services(client: &Client) -> Vec<ServicePair> {
    client
        .pricing
        .iter()
        .flat_map(|p| {
            p.pairs.iter().map(|pair| ServicePair {
                service_id: pair.service_id.clone(),
                rate_table_id: pair.rate_table_id.clone(),
                service_name: p.services.get(&pair.service_id).map(|s| s.name.to_string()),
                rate_table_name: p
                    .rate_tables
                    .get(&pair.rate_table_id)
                    .map(|r| r.name.to_string()),
            })
        })
        .collect()
}

/// The courier's services and rate tables a client can be given (what the services form
/// offers), oldest first.
pub struct Catalog {
    pub services: Vec<Service>,
    pub rate_tables: Vec<RateTable>,
}

/// How many of each the form offers (a courier has far fewer).
const OFFERED: u32 = 100;

pub async fn catalog(ctx: &Ctx, who: &Principal) -> Result<Catalog, ClientError> {
    let courier = courier_of(who)?;
    let of = |prefix: &'static str| {
        Query::partition(keys::courier_pk(courier.as_str())).sk_begins_with(prefix)
    };
    let (services, _) =
        list_page(ctx.store.as_ref(), of(keys::SERVICE_PREFIX), OFFERED, None).await?;
    let (tables, _) = list_page(
        ctx.store.as_ref(),
        of(keys::RATE_TABLE_PREFIX),
        OFFERED,
        None,
    )
    .await?;
    Ok(Catalog {
        services: services
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?,
        rate_tables: tables
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?,
    })
}

/// Sets the client's pairs (all of them: none takes every service away), copying each
/// service and rate table into its pricing context, in one transaction with their sets of
/// clients.
pub async fn set_client_services(
    ctx: &Ctx,
    who: &Principal,
    client_id: &str,
    pairs: Vec<Pair>,
) -> Result<Client, ClientError> {
    let courier_id = courier_of(who)?;
    let client_id = ClientId::parse(client_id).map_err(|_| ClientError::NotFound)?;
    check_pairs(&pairs)?;
    let courier = courier_id.as_str();
    let service_ids: Vec<&ServiceId> = pairs.iter().map(|p| &p.service_id).collect();
    let table_ids: BTreeSet<&RateTableId> = pairs.iter().map(|p| &p.rate_table_id).collect();
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
    let client: Client = from_item(found.next().flatten().ok_or(ClientError::NotFound)?)?;
    if client.status == ClientStatus::Deleted {
        return Err(ClientError::NotFound);
    }
    let courier_profile: Option<Courier> = found.next().flatten().map(from_item).transpose()?;
    let timezone = courier_profile
        .and_then(|c| Timezone::parse(&c.timezone).ok())
        .unwrap_or_default();
    let mut services: BTreeMap<ServiceId, Service> = BTreeMap::new();
    for (i, id) in service_ids.iter().enumerate() {
        let item = found.next().flatten().ok_or_else(|| {
            ClientError::field(
                format!("services[{i}].serviceId"),
                "is not one of your services",
            )
        })?;
        services.insert((*id).clone(), from_item(item)?);
    }
    let mut tables: BTreeMap<RateTableId, RateTable> = BTreeMap::new();
    for id in &table_ids {
        let i = pairs
            .iter()
            .position(|p| &p.rate_table_id == *id)
            .unwrap_or(0);
        let item = found.next().flatten().ok_or_else(|| {
            ClientError::field(
                format!("services[{i}].rateTableId"),
                "is not one of your rate tables",
            )
        })?;
        tables.insert((*id).clone(), from_item(item)?);
    }
    let currencies: BTreeSet<&str> = tables.values().map(|t| t.spec.currency.code()).collect();
    if currencies.len() > 1 {
        return Err(ClientError::field(
            "services",
            "a client's rate tables must all be in one currency (prices are compared)",
        ));
    }
    let old = client.pricing.clone();
    let pricing = PricingContext {
        timezone,
        pairs,
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
    links(
        &mut writes,
        ("service", keys::service),
        courier,
        &client_id,
        &services,
        &old_services,
    )?;
    links(
        &mut writes,
        ("rate table", keys::rate_table),
        courier,
        &client_id,
        &tables,
        &old_tables,
    )?;
    ctx.store.transact(writes).await.map_err(|e| match e {
        StoreError::TransactionCanceled { .. } => ClientError::ServicesRaced,
        e => e.into(),
    })?;
    Ok(Client {
        pricing: pricing.has_services().then_some(pricing),
        version: client.version + 1,
        updated_at: now,
        ..client
    })
}

/// What a service or rate table is called in a refusal, and where it is stored.
type KindOf = (&'static str, fn(&str, &str) -> Key);

/// The writes that keep each item's set of clients: added (the item's version must be the
/// one copied), kept (checked at that version), removed.
fn links<Id: Display + Ord, Spec>(
    writes: &mut Vec<Write>,
    (what, key_of): KindOf,
    courier: &str,
    client: &ClientId,
    now_used: &BTreeMap<Id, Entry<Id, Spec>>,
    used_before: &BTreeSet<String>,
) -> Result<(), ClientError> {
    let mark = format!("clients.{client}");
    for (id, entry) in now_used {
        let key: Key = key_of(courier, &id.to_string());
        let version = Cond::eq("version", entry.version);
        if used_before.contains(&id.to_string()) && entry.clients.contains_key(client) {
            writes.push(Write::Check { key, cond: version });
        } else {
            if entry.clients.len() >= MAX_CLIENTS {
                return Err(ClientError::TooManyClients {
                    what,
                    id: id.to_string(),
                    max: MAX_CLIENTS,
                });
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
                key: key_of(courier, id),
                update: Update::new().remove(&mark).increment("version", 1),
                cond: Some(Cond::exists(crate::store::PK)),
            });
        }
    }
    Ok(())
}

fn check_pairs(pairs: &[Pair]) -> Result<(), ClientError> {
    if pairs.len() > MAX_PAIRS {
        return Err(ClientError::field(
            "services",
            format!("a client has at most {MAX_PAIRS} services"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, pair) in pairs.iter().enumerate() {
        if !seen.insert(&pair.service_id) {
            return Err(ClientError::field(
                format!("services[{i}].serviceId"),
                "is given twice: a client has one rate table per service",
            ));
        }
    }
    Ok(())
}

/// The writes that take a deleted client out of its services' and rate tables' sets.
pub(super) fn unlink_all(client: &Client) -> Vec<Write> {
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
