//! A client's integrations (an online shop sending its orders by webhook): add one, list
//! them, read one; their inbox ([`deliveries`]) and the processing of a delivery
//! ([`webhook`]). The JSON API (`api::integrations`, `api::deliveries`, `api::webhook`) and
//! the API settings page both run these, so the rules (a secret per platform, tenant
//! isolation) are written once.

pub mod deliveries;
pub mod error;
pub mod webhook;

use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::integration::secret::{self, SecretText, StoredSecret};
use crate::domain::integration::{
    new_integration_id, parse_integration_id, Integration, IntegrationStatus, PieceWeight, Platform,
};
use crate::domain::Name;
use crate::integrations::error::{IntegrationError, IntegrationField};
use crate::ordering::FieldProblem;
use crate::store::pages::list_page;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Index, Item, Query, PK};
use crate::Ctx;

pub use deliveries::{list_deliveries, replay_delivery, DeliveriesPage};

/// A new integration, as its client adds it.
#[derive(Debug, Clone)]
pub struct NewIntegration {
    pub platform: Platform,
    pub name: Name,
    /// The platform's signing secret; none: one is generated (except for Shopify, whose
    /// app's secret the client pastes in).
    pub secret: Option<SecretText>,
    pub default_weight_per_piece_kg: Option<PieceWeight>,
}

/// An integration just added, with its secret when it was generated here: shown this once.
#[derive(Debug)]
pub struct AddedIntegration {
    pub integration: Integration,
    pub generated_secret: Option<SecretText>,
}

/// A page of integrations, newest first, and the cursor of what follows.
#[derive(Debug)]
pub struct IntegrationsPage {
    pub integrations: Vec<Integration>,
    pub next_cursor: Option<String>,
}

/// Adds an integration to the calling client (a courier is refused, 403).
pub async fn create_integration(
    ctx: &Ctx,
    who: &Principal,
    new: NewIntegration,
) -> Result<AddedIntegration, IntegrationError> {
    if who.role != Role::Client {
        return Err(IntegrationError::ClientsOnly);
    }
    let (secret, generated) = new_secret(new.platform, new.secret)?;
    let now = timestamp(ctx.now());
    let integration = Integration {
        id: new_integration_id(),
        courier_id: who.courier_id.clone(),
        client_id: own_client(who)?,
        platform: new.platform,
        name: new.name,
        secrets: vec![StoredSecret::new(secret.clone(), now.clone())],
        default_weight_per_piece_kg: new.default_weight_per_piece_kg,
        status: IntegrationStatus::Active,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
    };
    ctx.store
        .put(integration_item(&integration)?, Some(Cond::not_exists(PK)))
        .await?;
    // A generated secret is shown once; a pasted one is already the client's.
    Ok(AddedIntegration {
        integration,
        generated_secret: generated.then_some(secret),
    })
}

/// The secret sent, checked for the platform; or a generated one where the platform allows.
pub fn new_secret(
    platform: Platform,
    sent: Option<SecretText>,
) -> Result<(SecretText, bool), IntegrationError> {
    match sent {
        Some(text) => Ok((
            text.for_platform(platform).map_err(|e| {
                IntegrationError::field(IntegrationField::Secret, FieldProblem::Invalid, e)
            })?,
            false,
        )),
        None if platform.secret_required() => Err(IntegrationError::field(
            IntegrationField::Secret,
            FieldProblem::Missing,
            "Shopify signs webhooks with your app's client secret: paste it here",
        )),
        None => Ok((secret::generate(), true)),
    }
}

/// One client's integrations, newest first: a client's own (`client` must be none), or,
/// for a courier, those of the client it names.
pub async fn list_integrations(
    ctx: &Ctx,
    who: &Principal,
    client: Option<ClientId>,
    limit: u32,
    cursor: Option<&str>,
) -> Result<IntegrationsPage, IntegrationError> {
    let client = match (who.role, client) {
        (Role::Client, Some(_)) => return Err(client_lists_own()),
        (Role::Client, None) => own_client(who)?,
        (Role::Courier, Some(client)) => client,
        (Role::Courier, None) => {
            return Err(IntegrationError::field(
                IntegrationField::ClientId,
                FieldProblem::Missing,
                "a courier lists one client's integrations",
            ))
        }
    };
    // The index holds every courier's clients' integrations: keep this courier's.
    let query = Query::partition(keys::client_integrations_pk(client.as_str()))
        .on(Index::Gsi1)
        .descending()
        .filter(Some(Cond::eq("courierId", who.courier_id.as_str())));
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let integrations = items
        .into_iter()
        .map(from_item::<Integration>)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(IntegrationsPage {
        integrations,
        next_cursor,
    })
}

/// A client named a client to list the integrations of.
pub fn client_lists_own() -> IntegrationError {
    IntegrationError::field(
        IntegrationField::ClientId,
        FieldProblem::Invalid,
        "a client lists its own integrations",
    )
}

/// The caller's integration (deleted ones too: their inbox stays readable); another
/// tenant's answers 404 like a missing one.
pub async fn load_any(
    ctx: &Ctx,
    who: &Principal,
    raw: &str,
) -> Result<Integration, IntegrationError> {
    let not_found = || IntegrationError::NotFound;
    let id = parse_integration_id(raw).ok_or_else(not_found)?;
    let item = ctx.store.get(&keys::integration(id)).await?;
    let integration: Integration = from_item(item.ok_or_else(not_found)?)?;
    if !can_read(who, &integration.courier_id, &integration.client_id) {
        return Err(not_found());
    }
    Ok(integration)
}

/// The caller's integration, unless deleted (404 like a missing one).
pub async fn load_active(
    ctx: &Ctx,
    who: &Principal,
    raw: &str,
) -> Result<Integration, IntegrationError> {
    let integration = load_any(ctx, who, raw).await?;
    if integration.status == IntegrationStatus::Deleted {
        return Err(IntegrationError::NotFound);
    }
    Ok(integration)
}

/// The client itself, or its courier.
pub fn can_read(who: &Principal, courier_id: &CourierId, client_id: &ClientId) -> bool {
    who.courier_id == *courier_id
        && (who.role == Role::Courier || who.client_id.as_ref() == Some(client_id))
}

fn own_client(who: &Principal) -> Result<ClientId, IntegrationError> {
    who.client_id
        .clone()
        .ok_or_else(|| IntegrationError::Internal("client key without client".into()))
}

pub fn integration_item(integration: &Integration) -> Result<Item, IntegrationError> {
    let mut item = to_item(
        integration,
        &keys::integration(&integration.id),
        "Integration",
    )?;
    item.insert(
        Index::Gsi1.pk_attr().into(),
        keys::client_integrations_pk(integration.client_id.as_str()).into(),
    );
    item.insert(
        Index::Gsi1.sk_attr().into(),
        keys::integration_index_sk(&integration.id).into(),
    );
    Ok(item)
}
