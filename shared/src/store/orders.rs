//! The order aggregate's items: an order with its index keys, and its reads by id and by
//! short id (infra/DATA_MODEL.md). Tenant rules are the use cases' (`ordering::read`).

use super::records::{from_item, to_item};
use super::{
    item_key, keys, Cond, Index, Item, Key, Page, Query, Scan, Scanner, Store, StoreError, SK,
};
use crate::domain::order::Order;
use crate::domain::order_machine::OrderStatus;

/// The stored order: the order, its keys and its index keys (GSI1: the client's orders;
/// GSI2: by short id; GSI3: by tracking token; GSI4, drafts only: the reminder's list).
pub fn order_item(order: &Order) -> Result<Item, StoreError> {
    let courier = order.courier_id.as_str();
    let mut item = to_item(order, &keys::order(courier, &order.id), "Order")?;
    let mut index = |attr: &str, value: String| item.insert(attr.into(), value.into());
    index(
        Index::Gsi1.pk_attr(),
        keys::client_orders_pk(order.client_id.as_str()),
    );
    index(
        Index::Gsi1.sk_attr(),
        format!("{}{}", keys::ORDER_PREFIX, order.id),
    );
    index(
        Index::Gsi2.pk_attr(),
        keys::short_id_index_pk(courier, &order.short_id),
    );
    index(Index::Gsi2.sk_attr(), keys::SHORT_ID_INDEX_SK.into());
    index(
        Index::Gsi3.pk_attr(),
        keys::tracking_pk(&order.tracking_token),
    );
    index(Index::Gsi3.sk_attr(), keys::TRACKING_SK.into());
    if order.status == OrderStatus::Draft {
        index(
            Index::Gsi4.pk_attr(),
            keys::drafts_pk(order.client_id.as_str()),
        );
        index(
            Index::Gsi4.sk_attr(),
            keys::draft_sk(order.client_id.as_str(), &order.created_at, &order.id),
        );
    }
    Ok(item)
}

/// The marker keeping the order's short id unique within its courier.
pub fn short_id_marker(order: &Order) -> super::Key {
    keys::short_id(order.courier_id.as_str(), &order.short_id)
}

/// A courier's order by id (one GetItem).
pub async fn get(
    store: &dyn Store,
    courier_id: &str,
    order_id: &str,
) -> Result<Option<Order>, StoreError> {
    store
        .get(&keys::order(courier_id, order_id))
        .await?
        .map(from_item)
        .transpose()
}

/// A courier's order by short id: a Query of GSI2 (keys only), then the order.
pub async fn get_by_short_id(
    store: &dyn Store,
    courier_id: &str,
    short_id: &str,
) -> Result<Option<Order>, StoreError> {
    let query = Query::partition(keys::short_id_index_pk(courier_id, short_id))
        .on(Index::Gsi2)
        .limit(1);
    get_found(store, store.query(&query).await?).await
}

/// An order by its tracking token: a Query of GSI3 (keys only), then the order.
pub async fn get_by_tracking_token(
    store: &dyn Store,
    token: &str,
) -> Result<Option<Order>, StoreError> {
    let query = Query::partition(keys::tracking_pk(token))
        .on(Index::Gsi3)
        .limit(1);
    get_found(store, store.query(&query).await?).await
}

/// The order whose keys a keys-only index lookup found, if it found one.
async fn get_found(store: &dyn Store, page: Page) -> Result<Option<Order>, StoreError> {
    let Some(key) = page.items.first().and_then(item_key) else {
        return Ok(None);
    };
    store.get(&key).await?.map(from_item).transpose()
}

/// Items a page of [`changed_between`] reads before filtering.
const SCAN_PAGE: u32 = 1000;

/// One page of the orders whose `updatedAt` is from `from` to `to` (inclusive; timestamps
/// as the items hold them, `clock::timestamp`): their keys, and where the next page starts
/// (`None`: done). No index orders orders by change, so this is a sequential Scan of the
/// whole table with a filter and a keys-only projection, for `portal-admin
/// replay-notifications` only (a rare operator command; billed on every item read). An
/// order created and never changed (a compact import without `updatedAt`) is not listed:
/// its creation sent nothing.
pub async fn changed_between(
    store: &dyn Scanner,
    from: &str,
    to: &str,
    start_after: Option<Item>,
) -> Result<(Vec<Key>, Option<Item>), StoreError> {
    let filter = Cond::gt(SK, keys::ORDER_PREFIX)
        .and(Cond::lt(SK, keys::ORDER_PREFIX_END))
        .and(Cond::Not(Box::new(Cond::lt("updatedAt", from))))
        .and(Cond::Not(Box::new(Cond::gt("updatedAt", to))))
        .and(Cond::exists("updatedAt"));
    let page = store
        .scan(&Scan {
            filter: Some(filter),
            projection: vec!["updatedAt".into()],
            limit: Some(SCAN_PAGE),
            start_after,
        })
        .await?;
    let keys = page.items.iter().filter_map(super::item_key).collect();
    Ok((keys, page.last_key))
}
