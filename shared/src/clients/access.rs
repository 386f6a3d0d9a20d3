//! Whose clients: the courier's alone, each read by id within the courier's partition.

use super::error::ClientError;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::Client;
use crate::domain::ids::{ClientId, CourierId};
use crate::Ctx;

/// The caller's courier: clients are the courier's alone.
pub fn courier_of(who: &Principal) -> Result<&CourierId, ClientError> {
    match who.role {
        Role::Courier => Ok(&who.courier_id),
        Role::Client => Err(ClientError::CouriersOnly),
    }
}

/// The courier's client by id; another courier's client (or a malformed id) is not found.
pub async fn load_client(ctx: &Ctx, who: &Principal, raw_id: &str) -> Result<Client, ClientError> {
    let courier = courier_of(who)?;
    let id = ClientId::parse(raw_id).map_err(|_| ClientError::NotFound)?;
    crate::store::clients::get(ctx.store.as_ref(), courier.as_str(), id.as_str())
        .await?
        .ok_or(ClientError::NotFound)
}
