//! What a client's services would make of an order before it is placed (`POST /v1/quotes`,
//! the order form's "Get quotes"), and the services a client may choose from
//! (`GET /v1/services` for a client, the order form's choice).

use chrono::{DateTime, FixedOffset};

use super::error::{FieldProblem, OrderError, OrderField};
use super::owner::load_client;
use super::quoting::stop_facts;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::ClientStatus;
use crate::domain::ids::{ClientId, ServiceId};
use crate::domain::order::Stop;
use crate::domain::order_fields::Pieces;
use crate::domain::pricing::{
    QuotedService, RateTableSpec, ServiceSpec, Shipment, StopFacts, Weight,
};
use crate::Ctx;

/// An order to quote, as the caller describes it, its stops as `S`: a [`Stop`] as an order
/// has it ([`QuoteOrder`]), or only what quoting reads of one, its postal code and
/// coordinates ([`QuoteShipment`]: the courier's "Try a quote" panel sends only these).
#[derive(Debug, Clone)]
pub struct Quote<S> {
    pub by: Principal,
    /// Courier only: the client to quote for.
    pub client_id: Option<ClientId>,
    pub ready_by: Option<DateTime<FixedOffset>>,
    pub due_by: Option<DateTime<FixedOffset>>,
    pub weight: Option<Weight>,
    pub pieces: Option<Pieces>,
    /// `None`: the client's default pickup.
    pub pickup: Option<S>,
    pub dropoff: S,
}

pub type QuoteOrder = Quote<Stop>;
pub type QuoteShipment = Quote<StopFacts>;

/// Every service of the client, eligible with its price and completion time, or not with
/// the reasons (none for a client without services).
pub async fn quote_services(ctx: &Ctx, cmd: QuoteOrder) -> Result<Vec<QuotedService>, OrderError> {
    quote_shipment(
        ctx,
        QuoteShipment {
            pickup: cmd.pickup.as_ref().map(stop_facts),
            dropoff: stop_facts(&cmd.dropoff),
            by: cmd.by,
            client_id: cmd.client_id,
            ready_by: cmd.ready_by,
            due_by: cmd.due_by,
            weight: cmd.weight,
            pieces: cmd.pieces,
        },
    )
    .await
}

/// [`quote_services`] of a shipment described by its stops' facts.
pub async fn quote_shipment(
    ctx: &Ctx,
    cmd: QuoteShipment,
) -> Result<Vec<QuotedService>, OrderError> {
    let who = &cmd.by;
    if let (Some(ready), Some(due)) = (cmd.ready_by, cmd.due_by) {
        if due <= ready {
            return Err(OrderError::invalid(
                OrderField::DueBy,
                "must be later than readyBy",
            ));
        }
    }
    let client_id = match who.role {
        Role::Client => {
            if cmd.client_id.is_some() {
                return Err(OrderError::field(
                    OrderField::ClientId,
                    FieldProblem::NotTaken,
                    "a client quotes for itself",
                ));
            }
            if !who.has_services {
                // Nothing to quote, and nothing read.
                return Ok(vec![]);
            }
            who.client_id
                .clone()
                .ok_or_else(|| OrderError::Internal("client key without client".into()))?
        }
        Role::Courier => cmd.client_id.clone().ok_or_else(|| {
            OrderError::field(
                OrderField::ClientId,
                FieldProblem::Missing,
                "a courier names the client to quote for",
            )
        })?,
    };
    let client = load_client(ctx, &who.courier_id, client_id.as_str())
        .await
        .map_err(|e| match e {
            OrderError::ClientNotFound => {
                OrderError::invalid(OrderField::ClientId, "is not one of your clients")
            }
            e => e,
        })?;
    if client.status == ClientStatus::Deleted {
        return Err(OrderError::invalid(
            OrderField::ClientId,
            "is a deleted client",
        ));
    }
    let Some(pricing) = client.pricing.as_ref().filter(|p| p.has_services()) else {
        return Ok(vec![]);
    };
    let pickup = match cmd.pickup {
        Some(facts) => facts,
        None => match &client.default_pickup {
            Some(location) => stop_facts(&Stop {
                address: location.address.clone(),
                contact: None,
                notes: None,
                window: Default::default(),
                requirements: Default::default(),
            }),
            None => {
                return Err(OrderError::field(
                    OrderField::Pickup,
                    FieldProblem::Missing,
                    "the client has no default pickup: send a pickup",
                ))
            }
        },
    };
    let shipment = Shipment {
        ready_by: cmd.ready_by,
        due_by: cmd.due_by,
        weight: cmd.weight,
        pieces: cmd.pieces.map(Pieces::get),
        pickup,
        dropoff: cmd.dropoff,
    };
    Ok(pricing
        .quote_all(&shipment, ctx.now())
        .iter()
        .map(|q| pricing.quote_view(q))
        .collect())
}

/// One of a client's services with the rates it gets.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientService {
    pub id: ServiceId,
    pub service: ServiceSpec,
    pub rates: RateTableSpec,
}

/// The signed-in client's services in its order, each with its rates (a client without
/// services reads nothing; a courier's principal has no services of its own: none).
pub async fn own_services(ctx: &Ctx, who: &Principal) -> Result<Vec<ClientService>, OrderError> {
    let (Role::Client, Some(client_id), true) = (who.role, &who.client_id, who.has_services) else {
        return Ok(vec![]);
    };
    let client = load_client(ctx, &who.courier_id, client_id.as_str()).await?;
    let Some(pricing) = client.pricing else {
        return Ok(vec![]);
    };
    Ok(pricing
        .pairs
        .iter()
        .filter_map(|pair| {
            Some(ClientService {
                id: pair.service_id.clone(),
                service: pricing.services.get(&pair.service_id)?.clone(),
                rates: pricing.rate_tables.get(&pair.rate_table_id)?.clone(),
            })
        })
        .collect())
}
