//! Whom a new order is for, as the entry point knows it (from the principal, or from the
//! client item it read).

use super::error::OrderError;
use crate::domain::client::{Client, ServiceSelection};
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::pricing::PricingContext;
use crate::domain::Location;
use crate::Ctx;

#[derive(Debug, Clone, PartialEq)]
pub struct OrderOwner {
    pub courier_id: CourierId,
    pub client_id: ClientId,
    pub client_name: String,
    /// The client's auto-assign team: both tasks go to it.
    pub team_id: Option<String>,
    /// Where orders without a pickup are picked up.
    pub default_pickup: Option<Location>,
    /// The client's services and rates: `None` (or none in it) and orders are not quoted.
    pub pricing: Option<PricingContext>,
    /// Which service an order without `serviceId` gets.
    pub service_selection: ServiceSelection,
}

impl OrderOwner {
    /// The owner as the client item describes it (use this, not a struct literal: fields
    /// that pricing needs are added here).
    pub fn of_client(client: &Client) -> Self {
        Self {
            courier_id: client.courier_id.clone(),
            client_id: client.id.clone(),
            client_name: client.name.to_string(),
            team_id: client.auto_assign_team_id.clone().map(String::from),
            default_pickup: client.default_pickup.clone(),
            pricing: client.pricing.clone(),
            service_selection: client.service_selection,
        }
    }
}

/// The courier's client an order is for; another courier's or a missing one is not found.
pub async fn load_client(
    ctx: &Ctx,
    courier_id: &CourierId,
    raw_id: &str,
) -> Result<Client, OrderError> {
    let id = ClientId::parse(raw_id).map_err(|_| OrderError::ClientNotFound)?;
    crate::store::clients::get(ctx.store.as_ref(), courier_id.as_str(), id.as_str())
        .await?
        .ok_or(OrderError::ClientNotFound)
}
