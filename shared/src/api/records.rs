//! The JSON of listings, and item mapping with the API's error for the modules not yet
//! moved onto the store layer's.

use serde_json::Value;

use crate::error::ApiError;
use crate::store::{records, Item, Key};

// Item mapping lives in the store layer (`crate::store::records`); these two, with the
// API's error, stay for the modules not yet moved onto it (issue 16's layering).
pub fn to_item<T: serde::Serialize>(value: &T, key: &Key, entity: &str) -> Result<Item, ApiError> {
    Ok(records::to_item(value, key, entity)?)
}

pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, ApiError> {
    Ok(records::from_item(item)?)
}

/// The JSON of a listing: `{"items": [...], "nextCursor": "..."}`.
pub fn listing(items: Vec<Value>, next_cursor: Option<String>) -> Value {
    let mut body = serde_json::json!({ "items": items });
    if let Some(cursor) = next_cursor {
        body["nextCursor"] = cursor.into();
    }
    body
}
