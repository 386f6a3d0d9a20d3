//! Who reads a page, for how it writes things: the courier's name (every order of a client
//! has the same courier) and the reader's time zone, in which every time is written.

use crate::domain::api_key::Principal;
use crate::domain::client::Client;
use crate::domain::courier::courier_timezone;
use crate::domain::timezone::Timezone;
use crate::error::ApiError;
use crate::store::{clients, couriers};
use crate::Ctx;

/// The courier's name and the reader's time zone: a client's own (organisation, else
/// notification settings), else its courier's. One BatchGetItem of the client and its
/// courier (a courier's own person: one GetItem of the courier).
pub async fn reader(ctx: &Ctx, principal: &Principal) -> Result<(String, Timezone), ApiError> {
    let store = ctx.store.as_ref();
    let courier_id = principal.courier_id.as_str();
    let (client, courier) = match &principal.client_id {
        Some(client_id) => {
            clients::load_client_and_courier(store, courier_id, client_id.as_str()).await?
        }
        None => (None, couriers::get(store, courier_id).await?),
    };
    let own = client.as_ref().and_then(Client::own_timezone);
    let zone = own.unwrap_or_else(|| courier_timezone(courier.as_ref()));
    Ok((courier.map(|c| c.name).unwrap_or_default(), zone))
}
