//! Listing pages.

use serde_json::Value;

use crate::error::ApiError;
use crate::http::{decode_cursor, encode_cursor};
use crate::store::{records, Item, Key, Query, Store};

// Item mapping lives in the store layer (`crate::store::records`); these two, with the
// API's error, stay for the modules not yet moved onto it (issue 16's layering).
pub fn to_item<T: serde::Serialize>(value: &T, key: &Key, entity: &str) -> Result<Item, ApiError> {
    Ok(records::to_item(value, key, entity)?)
}

pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, ApiError> {
    Ok(records::from_item(item)?)
}

/// Reads up to `limit` items after `cursor`, following the store's pages while a filter
/// leaves them short; returns the items and the cursor of what follows. It reads one item
/// more than it returns, so a cursor is given only when something does follow.
pub async fn list_page(
    store: &dyn Store,
    mut query: Query,
    limit: u32,
    cursor: Option<&str>,
) -> Result<(Vec<Item>, Option<String>), ApiError> {
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

/// The JSON of a listing: `{"items": [...], "nextCursor": "..."}`.
pub fn listing(items: Vec<Value>, next_cursor: Option<String>) -> Value {
    let mut body = serde_json::json!({ "items": items });
    if let Some(cursor) = next_cursor {
        body["nextCursor"] = cursor.into();
    }
    body
}
