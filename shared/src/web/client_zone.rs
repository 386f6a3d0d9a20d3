//! The signed-in client and the time zone its forms read and show times in.

use chrono_tz::Tz;

use crate::domain::api_key::Principal;
use crate::domain::client::Client;
use crate::domain::courier::courier_timezone;
use crate::error::ApiError;
use crate::Ctx;

/// The client (for its default pickup and country) and its time zone: its organisation's,
/// its notification settings', else its courier's, else UTC.
pub(super) async fn client_and_zone(
    ctx: &Ctx,
    principal: &Principal,
) -> Result<(Option<Client>, Tz), ApiError> {
    let client = match &principal.client_id {
        Some(client_id) => {
            crate::store::clients::get(
                ctx.store.as_ref(),
                principal.courier_id.as_str(),
                client_id.as_str(),
            )
            .await?
        }
        None => None,
    };
    let own = client.as_ref().and_then(Client::own_timezone);
    let zone = match own {
        Some(zone) => zone,
        None => courier_timezone(
            crate::store::couriers::get(ctx.store.as_ref(), principal.courier_id.as_str())
                .await?
                .as_ref(),
        ),
    };
    Ok((client, zone.tz()))
}
