//! Resolving an API key to its organisation: the authorizer Lambda and the local server
//! both call [`authorize`] before every protected route.

use crate::domain::api_key::{claimed_role, ApiKeyRecord, Principal};
use crate::domain::token;
use crate::store::{keys, Store, StoreError};

/// `Ok(Err(reason))`: the caller gets 401 with that reason. One store read for a courier
/// key; a client key also reads its client (deleted clients are refused, and use cases get
/// the client's name and auto-assign team without reading it themselves).
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
    match with_client(store, record.principal()).await? {
        Some(principal) => Ok(Ok(principal)),
        None => invalid(),
    }
}

/// A client's principal completed from its client item (one read): `None` when the client
/// is gone or deleted. A courier's principal is returned as it is.
pub async fn with_client(
    store: &dyn Store,
    mut principal: Principal,
) -> Result<Option<Principal>, StoreError> {
    let Some(client_id) = principal.client_id.clone() else {
        return Ok(Some(principal));
    };
    let Some(client) = store
        .get(&keys::client(
            principal.courier_id.as_str(),
            client_id.as_str(),
        ))
        .await?
    else {
        return Ok(None);
    };
    let text = |name: &str| {
        client
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    if text("status").as_deref() == Some("deleted") {
        return Ok(None);
    }
    principal.client_name = text("name");
    principal.auto_assign_team_id = text("autoAssignTeamId");
    principal.has_services = client
        .get("pricing")
        .and_then(|p| p.get("pairs"))
        .and_then(|p| p.as_array())
        .is_some_and(|pairs| !pairs.is_empty());
    principal.logo_url = client
        .get("organization")
        .and_then(|o| o.get("logoUrl"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Ok(Some(principal))
}
