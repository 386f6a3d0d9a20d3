//! Pages of a listing: the opaque cursor (the store's last key, base64url-encoded JSON) and
//! the reader that fills a page while a filter leaves it short.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use super::{Item, Query, Store, StoreError, PK};

pub fn encode_cursor(last_key: &Item) -> String {
    URL_SAFE_NO_PAD.encode(Value::Object(last_key.clone()).to_string())
}

/// Reads a cursor back for `query`; it must be one of ours and belong to the partition the
/// query lists, so a crafted cursor can neither fail the store nor page into another tenant.
pub fn decode_cursor(raw: Option<&str>, query: &Query) -> Result<Option<Item>, StoreError> {
    let Some(raw) = raw else { return Ok(None) };
    let invalid = || StoreError::InvalidCursor;
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let item: Item = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let attrs = query.key_attrs();
    let shaped = item.len() == attrs.len()
        && attrs
            .iter()
            .all(|a| item.get(*a).is_some_and(Value::is_string));
    let partition_attr = query.index.map_or(PK, |i| i.pk_attr());
    if !shaped || item.get(partition_attr).and_then(Value::as_str) != Some(query.pk.as_str()) {
        return Err(invalid());
    }
    // And in the key range it reads (DynamoDB refuses a start key outside it).
    let sort_attr = query.index.map_or(super::SK, |i| i.sk_attr());
    let sort_key = item.get(sort_attr).and_then(Value::as_str).unwrap_or("");
    let in_range = match &query.sk {
        None => true,
        Some(super::SkCond::BeginsWith(prefix)) => sort_key.starts_with(prefix.as_str()),
        Some(super::SkCond::Between(low, high)) => {
            (low.as_str()..=high.as_str()).contains(&sort_key)
        }
    };
    if !in_range {
        return Err(invalid());
    }
    Ok(Some(item))
}

/// Reads up to `limit` items after `cursor`, following the store's pages while a filter
/// leaves them short; returns the items and the cursor of what follows. It reads one item
/// more than it returns, so a cursor is given only when something does follow.
pub async fn list_page(
    store: &dyn Store,
    mut query: Query,
    limit: u32,
    cursor: Option<&str>,
) -> Result<(Vec<Item>, Option<String>), StoreError> {
    query.start_after = decode_cursor(cursor, &query)?;
    query.limit = Some(limit + 1);
    let attrs = query.key_attrs();
    let key_of = |item: &Item| -> Item {
        attrs
            .iter()
            .filter_map(|a| Some((a.to_string(), item.get(*a)?.clone())))
            .collect()
    };
    let mut items = Vec::new();
    // Bounded: a very selective filter returns a short page with a cursor rather than
    // reading a whole partition in one request.
    for _ in 0..10 {
        let page = store.query(&query).await?;
        items.extend(page.items);
        if items.len() > limit as usize {
            items.truncate(limit as usize);
            let cursor = encode_cursor(&key_of(&items[items.len() - 1]));
            return Ok((items, Some(cursor)));
        }
        match page.last_key {
            None => return Ok((items, None)),
            Some(last) => query.start_after = Some(last),
        }
    }
    let cursor = query.start_after.as_ref().map(encode_cursor);
    Ok((items, cursor))
}
