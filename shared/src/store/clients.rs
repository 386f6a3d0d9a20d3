//! The client aggregate's reads (its item: infra/DATA_MODEL.md).

use super::records::from_item;
use super::{keys, Store, StoreError};
use crate::domain::client::Client;

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
