//! The courier aggregate's reads (its profile item: infra/DATA_MODEL.md).

use super::records::from_item;
use super::{keys, Store, StoreError};
use crate::domain::courier::Courier;

/// A courier's profile (one GetItem); `None` when there is no such courier.
pub async fn get(store: &dyn Store, courier_id: &str) -> Result<Option<Courier>, StoreError> {
    store
        .get(&keys::courier(courier_id))
        .await?
        .map(from_item)
        .transpose()
}
