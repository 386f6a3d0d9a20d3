//! An integration's inbox: its deliveries (newest first), one delivery, and the replay of
//! one. The client and its courier read and replay; anyone else gets 404.

use super::webhook::{process, Received};
use super::{can_read, load_any};
use crate::domain::api_key::Principal;
use crate::domain::integration::delivery::parse_delivery_id;
use crate::domain::integration::{parse_integration_id, Delivery, Integration, SignatureCheck};
use crate::integrations::error::IntegrationError;
use crate::store::pages::list_page;
use crate::store::records::from_item;
use crate::store::{keys, Query};
use crate::Ctx;

/// A page of an inbox, newest first, and the cursor of what follows.
#[derive(Debug)]
pub struct DeliveriesPage {
    pub deliveries: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

/// The deliveries of the caller's integration `integration` (its id as sent; deleted
/// integrations too).
pub async fn list_deliveries(
    ctx: &Ctx,
    who: &Principal,
    integration: &str,
    limit: u32,
    cursor: Option<&str>,
) -> Result<DeliveriesPage, IntegrationError> {
    let integration = load_any(ctx, who, integration).await?;
    let query = Query::partition(keys::integration_pk(&integration.id))
        .sk_begins_with(keys::DELIVERY_PREFIX)
        .descending();
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let deliveries = items
        .into_iter()
        .map(from_item::<Delivery>)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DeliveriesPage {
        deliveries,
        next_cursor,
    })
}

/// One delivery of the caller's integration (ids as sent); anyone else's is not found.
pub async fn find_delivery(
    ctx: &Ctx,
    who: &Principal,
    integration: &str,
    delivery: &str,
) -> Result<Delivery, IntegrationError> {
    let not_found = || IntegrationError::DeliveryNotFound;
    let integration_id = parse_integration_id(integration).ok_or_else(not_found)?;
    let delivery_id = parse_delivery_id(delivery).ok_or_else(not_found)?;
    let item = ctx
        .store
        .get(&keys::delivery(integration_id, delivery_id))
        .await?
        .ok_or_else(not_found)?;
    let delivery: Delivery = from_item(item)?;
    if !can_read(who, &delivery.courier_id, &delivery.client_id) {
        return Err(not_found());
    }
    Ok(delivery)
}

/// Processes a delivery's stored body again, as a new delivery of the inbox (`replayOf`):
/// a platform order that already made an order makes no second one. `base_url` is the
/// portal's, for the links of the order placed.
pub async fn replay_delivery(
    ctx: &Ctx,
    who: &Principal,
    integration: &str,
    delivery: &str,
    base_url: String,
) -> Result<Delivery, IntegrationError> {
    let original = find_delivery(ctx, who, integration, delivery).await?;
    if original.signature != SignatureCheck::Valid {
        return Err(IntegrationError::NotReplayable {
            code: "unsigned_delivery",
            message: "only a delivery whose signature held can be replayed".into(),
        });
    }
    let Some(body) = original.body.clone() else {
        return Err(IntegrationError::NotReplayable {
            code: "body_not_kept",
            message: "this delivery's body was too large to keep, so it cannot be replayed".into(),
        });
    };
    let item = ctx
        .store
        .get(&keys::integration(&original.integration_id))
        .await?
        .ok_or(IntegrationError::NotFound)?;
    let integration: Integration = from_item(item)?;
    let received = Received {
        headers: original.headers.clone(),
        body: body.into_bytes().into(),
    };
    process(
        ctx,
        &integration,
        received,
        Some(original.id.clone()),
        base_url,
    )
    .await
}
