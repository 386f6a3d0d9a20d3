//! Resolving an API key to its organisation: the authorizer Lambda and the local server
//! both call [`authorize`] before every protected route.

use crate::domain::api_key::{claimed_role, ApiKeyRecord, Principal};
use crate::domain::token;
use crate::store::{keys, Store, StoreError};

/// `Ok(Err(reason))`: the caller gets 401 with that reason. One store read.
pub async fn authorize(
    store: &dyn Store,
    authorization: Option<&str>,
) -> Result<Result<Principal, String>, StoreError> {
    let Some(header) = authorization.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(Err(
            "an API key is required: Authorization: Bearer <key>".into()
        ));
    };
    let presented = match header.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") => key.trim(),
        _ => return Ok(Err("the Authorization header must be: Bearer <key>".into())),
    };
    let invalid = || {
        Ok(Err(
            "the API key is not valid or has been revoked".to_string()
        ))
    };
    let Some(role) = claimed_role(presented) else {
        return invalid();
    };
    let Some(item) = store
        .get(&keys::api_key_secret(&token::hash(presented)))
        .await?
    else {
        return invalid();
    };
    let record: ApiKeyRecord = match serde_json::from_value(serde_json::Value::Object(item)) {
        Ok(record) => record,
        Err(e) => {
            return Err(StoreError::Backend(format!(
                "unreadable API key record: {e}"
            )))
        }
    };
    if record.revoked_at.is_some() || record.role != role {
        return invalid();
    }
    Ok(Ok(record.principal()))
}
