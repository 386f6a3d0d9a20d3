//! Quotes: `POST /v1/quotes` (a client for itself; a courier with `clientId`): every service
//! of the client, eligible with price and completion time, or not with the reasons.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::json;

use super::clients::load_client;
use crate::domain::api_key::Role;
use crate::domain::client::ClientStatus;
use crate::domain::ids::ClientId;
use crate::domain::order::Stop;
use crate::domain::order_fields::Pieces;
use crate::domain::pricing::{Shipment, Weight};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::quoting::stop_facts;
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct QuoteRequest {
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

pub async fn create_quote(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let body: QuoteRequest = req.json()?;
    if let (Some(ready), Some(due)) = (body.ready_by, body.due_by) {
        if due <= ready {
            return Err(ApiError::invalid("dueBy", "must be later than readyBy"));
        }
    }
    let client_id = match who.role {
        Role::Client => {
            if body.client_id.is_some() {
                return Err(ApiError::Invalid {
                    code: "unknown_field",
                    field: "clientId".into(),
                    message: "a client quotes for itself".into(),
                });
            }
            if !who.has_services {
                // Nothing to quote, and nothing read.
                return Ok(ApiResponse::ok(&json!({ "services": [] })));
            }
            who.client_id
                .clone()
                .ok_or_else(|| ApiError::Internal("client key without client".into()))?
        }
        Role::Courier => body.client_id.clone().ok_or_else(|| ApiError::Invalid {
            code: "missing_field",
            field: "clientId".into(),
            message: "a courier names the client to quote for".into(),
        })?,
    };
    let client = load_client(ctx, &who.courier_id, client_id.as_str())
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::invalid("clientId", "is not one of your clients"),
            e => e,
        })?;
    if client.status == ClientStatus::Deleted {
        return Err(ApiError::invalid("clientId", "is a deleted client"));
    }
    let Some(pricing) = client.pricing.as_ref().filter(|p| p.has_services()) else {
        return Ok(ApiResponse::ok(&json!({ "services": [] })));
    };
    let pickup = match &body.pickup {
        Some(stop) => stop_facts(stop),
        None => match &client.default_pickup {
            Some(location) => stop_facts(&Stop {
                address: location.address.clone(),
                contact: None,
                notes: None,
                window: Default::default(),
                requirements: Default::default(),
            }),
            None => {
                return Err(ApiError::Invalid {
                    code: "missing_field",
                    field: "pickup".into(),
                    message: "the client has no default pickup: send a pickup".into(),
                })
            }
        },
    };
    let shipment = Shipment {
        ready_by: body.ready_by,
        due_by: body.due_by,
        weight: body.weight,
        pieces: body.pieces.map(Pieces::get),
        pickup,
        dropoff: stop_facts(&body.dropoff),
    };
    let services: Vec<_> = pricing
        .quote_all(&shipment, ctx.now())
        .iter()
        .map(|q| pricing.quote_view(q))
        .collect();
    Ok(ApiResponse::ok(&json!({ "services": services })))
}
