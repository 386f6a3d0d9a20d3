//! The inbox record of a delivery, and the marker that makes a redelivery a duplicate.

use serde_json::json;

use crate::domain::integration::Delivery;
use crate::integrations::error::IntegrationError;
use crate::store::records::to_item;
use crate::store::{keys, Key, StoreError, Write};
use crate::Ctx;

/// Writes the delivery record (with the marker that makes a redelivery a duplicate).
pub async fn record(
    ctx: &Ctx,
    delivery: &Delivery,
    marker: Option<Key>,
) -> Result<(), IntegrationError> {
    let item = delivery_item(delivery)?;
    match marker {
        None => ctx.store.put(item, None).await?,
        Some(key) => {
            let writes = vec![
                Write::Put { item, cond: None },
                Write::Put {
                    item: marker_item(&key, delivery, delivery.order_id.as_deref())?,
                    cond: None,
                },
            ];
            ctx.store.transact(writes).await?
        }
    }
    Ok(())
}

pub fn delivery_item(delivery: &Delivery) -> Result<crate::store::Item, StoreError> {
    Ok(to_item(
        delivery,
        &keys::delivery(&delivery.integration_id, &delivery.id),
        "Delivery",
    )?)
}

pub(super) fn marker_item(
    key: &Key,
    delivery: &Delivery,
    order_id: Option<&str>,
) -> Result<crate::store::Item, StoreError> {
    Ok(to_item(
        &json!({ "deliveryId": delivery.id, "orderId": order_id, "ttl": delivery.ttl }),
        key,
        "DeliveryMarker",
    )?)
}
