//! A signed-in client or courier creates an order (`POST /v1/orders`, the new-order page):
//! whom it is for by the caller's role, its windows checked, then [`place_order`], at most
//! once per idempotency key.

use super::changes::actor;
use super::edit::check_window;
use super::error::{FieldProblem, OrderError, OrderField};
use super::owner::{load_client, OrderOwner};
use super::place::{place_order, CreateOrder, DraftMode, Idempotency, Placed};
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::ClientStatus;
use crate::domain::ids::{ClientId, ServiceId};
use crate::domain::order::{Order, Source, Stop};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::pricing::Weight;
use crate::domain::text::Notes;
use crate::domain::token;
use crate::Ctx;

/// A new order as its caller describes it.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub by: Principal,
    pub pickup: Stop,
    pub dropoff: Stop,
    pub weight: Option<Weight>,
    pub pieces: Option<Pieces>,
    pub notes: Option<Notes>,
    pub external_id: Option<ExternalId>,
    /// The client's service to use (clients with services; else its rule picks).
    pub service_id: Option<ServiceId>,
    /// Save without sending to the courier.
    pub draft: bool,
    /// Courier only: the client the order is for.
    pub client_id: Option<ClientId>,
    pub idempotency: Option<IdempotencyKey>,
    /// Base of the tracking URL.
    pub base_url: String,
}

/// The caller's idempotency key and what its request said: the same key with the same
/// request answers the first answer again; with another request it is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyKey {
    pub key: String,
    /// The request as the caller received it (the JSON API: its body; a form: its order).
    pub request: String,
}

/// What creating an order did.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    Order(Box<Order>),
    /// The key and request were sent before: the first answer as it was given (its status
    /// and JSON body) and the id of the order it created.
    Replayed {
        status: u16,
        body: String,
        order_id: String,
    },
}

/// Creates (or drafts) the order for the caller's client, or for the courier's client it
/// names.
pub async fn create_order(ctx: &Ctx, cmd: NewOrder) -> Result<Created, OrderError> {
    let who = &cmd.by;
    check_window(&cmd.pickup.window, OrderField::PickupWindowEnd)?;
    check_window(&cmd.dropoff.window, OrderField::DropoffWindowEnd)?;
    let (owner, source) = owner(ctx, who, cmd.client_id.as_ref()).await?;
    let idempotency = cmd.idempotency.as_ref().map(|idem| {
        let request_hash = token::hash(&format!("{}\n{}", who.org_id(), idem.request));
        Idempotency::new(who.org_id(), &idem.key, request_hash)
    });
    let create = CreateOrder {
        owner,
        actor: actor(who),
        source,
        pickup: Some(cmd.pickup),
        dropoff: cmd.dropoff,
        weight: cmd.weight,
        pieces: cmd.pieces,
        notes: cmd.notes,
        external_id: cmd.external_id,
        service_id: cmd.service_id,
        draft: if cmd.draft {
            DraftMode::Always
        } else {
            DraftMode::Never
        },
        idempotency,
        extra_writes: vec![],
        order_writes: None,
        marker: None,
        base_url: cmd.base_url,
    };
    match place_order(ctx, create).await? {
        Placed::Created(order) => Ok(Created::Order(order)),
        Placed::Replayed {
            status,
            body,
            order_id,
        } => Ok(Created::Replayed {
            status,
            body,
            order_id,
        }),
        Placed::Refused { .. } => Err(OrderError::Internal(
            "an order without extra writes was refused".into(),
        )),
    }
}

/// Whom the order is for: a client's own (read only when it has services); a courier's
/// client named by `client_id`, active.
async fn owner(
    ctx: &Ctx,
    who: &Principal,
    client_id: Option<&ClientId>,
) -> Result<(OrderOwner, Source), OrderError> {
    match who.role {
        Role::Client => {
            if client_id.is_some() {
                return Err(OrderError::field(
                    OrderField::ClientId,
                    FieldProblem::NotTaken,
                    "a client creates orders for itself",
                ));
            }
            let client_id = who
                .client_id
                .clone()
                .ok_or_else(|| OrderError::Internal("client key without client".into()))?;
            let owner = if who.has_services {
                // Its services and rates are on its item: one read, for clients with services.
                OrderOwner::of_client(&load_client(ctx, &who.courier_id, client_id.as_str()).await?)
            } else {
                OrderOwner {
                    courier_id: who.courier_id.clone(),
                    client_id,
                    client_name: who.client_name.clone().unwrap_or_default(),
                    team_id: who.auto_assign_team_id.clone(),
                    default_pickup: None,
                    pricing: None,
                    service_selection: Default::default(),
                }
            };
            Ok((owner, Source::Portal))
        }
        Role::Courier => {
            let raw = client_id.ok_or_else(|| {
                OrderError::field(
                    OrderField::ClientId,
                    FieldProblem::Missing,
                    "a courier names the client the order is for",
                )
            })?;
            let client = load_client(ctx, &who.courier_id, raw.as_str())
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
            Ok((OrderOwner::of_client(&client), Source::Api))
        }
    }
}
