//! Opaque pagination: the cursor is the store's last key, base64url-encoded JSON.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use crate::error::ApiError;
use crate::store::{Item, Query, PK};

pub fn encode_cursor(last_key: &Item) -> String {
    URL_SAFE_NO_PAD.encode(Value::Object(last_key.clone()).to_string())
}

/// Reads a cursor back for `query`; it must be one of ours and belong to the partition the
/// query lists, so a crafted cursor can neither fail the store nor page into another tenant.
pub fn decode_cursor(raw: Option<&str>, query: &Query) -> Result<Option<Item>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let invalid = || ApiError::Malformed {
        code: "invalid_cursor",
        message: "the cursor is not valid".into(),
        field: Some("cursor".into()),
    };
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
    Ok(Some(item))
}

/// `limit`: 1 to 100, default 50.
pub fn page_limit(raw: Option<&str>) -> Result<u32, ApiError> {
    match raw {
        None => Ok(50),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| ApiError::invalid("limit", "must be a whole number from 1 to 100")),
    }
}
