//! The client aggregate's reads (its item: infra/DATA_MODEL.md).

use super::records::from_item;
use super::{keys, Store, StoreError};
use crate::domain::client::Client;
use crate::domain::courier::Courier;

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
    let mut found = store
        .batch_get(&[
            keys::client(courier_id, client_id),
            keys::courier(courier_id),
        ])
        .await?
        .into_iter();
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
    Ok((client, courier))
}
