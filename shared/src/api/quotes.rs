//! Quotes: `POST /v1/quotes` (a client for itself; a courier with `clientId`): every service
//! of the client, eligible with price and completion time, or not with the reasons.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::json;

use crate::domain::ids::ClientId;
use crate::domain::order::Stop;
use crate::domain::order_fields::Pieces;
use crate::domain::pricing::Weight;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::quotes::{quote_services, QuoteOrder};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteRequest {
    #[serde(default)]
    ready_by: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    due_by: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pieces: Option<Pieces>,
    #[serde(default)]
    weight: Option<Weight>,
    /// Without it, the client's default pickup.
    #[serde(default)]
    pickup: Option<Stop>,
    dropoff: Stop,
    /// Courier only: the client to quote for.
    #[serde(default)]
    client_id: Option<ClientId>,
}

/// `POST /v1/quotes`: the HTTP adapter onto [`quote_services`].
pub async fn create_quote(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let body: QuoteRequest = req.json()?;
    let services = quote_services(
        ctx,
        QuoteOrder {
            by: who,
            client_id: body.client_id,
            ready_by: body.ready_by,
            due_by: body.due_by,
            weight: body.weight,
            pieces: body.pieces,
            pickup: body.pickup,
            dropoff: body.dropoff,
        },
    )
    .await?;
    Ok(ApiResponse::ok(&json!({ "services": services })))
}
