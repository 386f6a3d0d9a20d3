//! The client aggregate's reads (its item: infra/DATA_MODEL.md).

use super::records::from_item;
use super::{keys, Cond, Store, StoreError, Update, Write};
use crate::domain::client::{Client, NamedClient};
use crate::domain::courier::Courier;
use crate::domain::ids::ClientId;

/// Adds `n` orders to a client's count (`orderCount`, what the clients list shows), in the
/// write that records them; only on an existing client (`cond` adds to that). `version` is
/// untouched: a count never makes a client's edit stale.
pub fn count_orders(courier_id: &str, client_id: &str, n: u64, cond: Option<Cond>) -> Write {
    let exists = Cond::exists(super::PK);
    Write::Update {
        key: keys::client(courier_id, client_id),
        update: Update::new().increment("orderCount", n as i64),
        cond: Some(match cond {
            Some(cond) => exists.and(cond),
            None => exists,
        }),
    }
}

/// A courier's client by id (one GetItem); `None` when the courier has no such client.
pub async fn get(
    store: &dyn Store,
    courier_id: &str,
    client_id: &str,
) -> Result<Option<Client>, StoreError> {
    store
        .get(&keys::client(courier_id, client_id))
        .await?
        .map(from_item)
        .transpose()
}

/// A client and its courier in one call (BatchGetItem): what messages and pages about a
/// client's orders need (templates, branding, the courier's name and time zone).
pub async fn load_client_and_courier(
    store: &dyn Store,
    courier_id: &str,
    client_id: &str,
) -> Result<(Option<Client>, Option<Courier>), StoreError> {
    let (client, courier, _) = load_with(store, courier_id, client_id, None).await?;
    Ok((client, courier))
}

/// [`load_client_and_courier`] and one more item of the courier's (a driver's position)
/// in the same BatchGetItem.
pub async fn load_client_courier_and(
    store: &dyn Store,
    courier_id: &str,
    client_id: &str,
    extra: super::Key,
) -> Result<(Option<Client>, Option<Courier>, Option<super::Item>), StoreError> {
    load_with(store, courier_id, client_id, Some(extra)).await
}

/// The client, its courier and `extra` (if any) in one BatchGetItem.
async fn load_with(
    store: &dyn Store,
    courier_id: &str,
    client_id: &str,
    extra: Option<super::Key>,
) -> Result<(Option<Client>, Option<Courier>, Option<super::Item>), StoreError> {
    let mut keys = vec![
        keys::client(courier_id, client_id),
        keys::courier(courier_id),
    ];
    keys.extend(extra);
    let mut found = store.batch_get(&keys).await?.into_iter();
    let client = found
        .next()
        .flatten()
        .map(from_item::<Client>)
        .transpose()?;
    let courier = found
        .next()
        .flatten()
        .map(from_item::<Courier>)
        .transpose()?;
    Ok((client, courier, found.next().flatten()))
}

/// The names of a courier's clients, in the order of `ids` (one BatchGetItem; a client gone
/// meanwhile keeps its id with an empty name).
pub async fn names(
    store: &dyn Store,
    courier_id: &str,
    ids: Vec<ClientId>,
) -> Result<Vec<NamedClient>, StoreError> {
    let keys: Vec<_> = ids
        .iter()
        .map(|id| keys::client(courier_id, id.as_str()))
        .collect();
    let found = store.batch_get(&keys).await?;
    Ok(ids
        .into_iter()
        .zip(found)
        .map(|(id, item)| NamedClient {
            name: item
                .and_then(|i| from_item::<Client>(i).ok())
                .map(|c| c.name.to_string())
                .unwrap_or_default(),
            id,
        })
        .collect())
}

/// Writes a change of `client`, read at its version: `update` with `updatedAt` and the next
/// version, alone (one UpdateItem) or with `writes` in one transaction, the client first.
/// [`changed_meanwhile`] tells a refusal because someone else changed the client first.
pub async fn save_change(
    store: &dyn Store,
    client: &Client,
    update: Update,
    updated_at: &str,
    writes: Vec<Write>,
) -> Result<(), StoreError> {
    let key = keys::client(client.courier_id.as_str(), client.id.as_str());
    let update = update.set("updatedAt", updated_at).increment("version", 1);
    let cond = Some(Cond::eq("version", client.version));
    if writes.is_empty() {
        return store.update(&key, &update, cond).await.map(drop);
    }
    let mut all = vec![Write::Update { key, update, cond }];
    all.extend(writes);
    store.transact(all).await
}

/// [`save_change`] was refused because the client is no longer at the version read.
pub fn changed_meanwhile(e: &StoreError) -> bool {
    matches!(e, StoreError::ConditionFailed { .. }) || e.condition_failed_at(0)
}
