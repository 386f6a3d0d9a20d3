//! Orders: `POST|GET /v1/orders`, `GET|PATCH /v1/orders/{orderId}`.

use serde::Deserialize;

use super::clients::load_client;
use super::records::listing;
use crate::domain::api_key::Role;
use crate::domain::client::ClientStatus;
use crate::domain::ids::{ClientId, ServiceId};
use crate::domain::order::{Order, Source, Stop};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::order_machine::OrderStatus;
use crate::domain::pricing::Weight;
use crate::domain::search::SearchQuery;
use crate::domain::text::Notes;
use crate::domain::token;
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::ordering::changes::actor;
use crate::ordering::edit::check_window;
use crate::ordering::{
    edit_order, place_order, read, CreateOrder, DraftMode, EditOrder, Idempotency, OrderChanges,
    OrderFilter, OrderOwner, Placed,
};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewOrder {
    pickup: Stop,
    dropoff: Stop,
    #[serde(default)]
    weight: Option<Weight>,
    #[serde(default)]
    pieces: Option<Pieces>,
    #[serde(default)]
    notes: Option<Notes>,
    #[serde(default)]
    external_id: Option<ExternalId>,
    /// The client's service to use (clients with services; else its rule picks).
    #[serde(default)]
    service_id: Option<ServiceId>,
    /// Save without sending to the courier.
    #[serde(default)]
    draft: bool,
    /// Courier only: the client the order is for.
    #[serde(default)]
    client_id: Option<ClientId>,
}

/// `POST /v1/orders`: the HTTP adapter onto [`place_order`].
pub async fn create_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let idempotency_key = idempotency_key(&req)?;
    let body: NewOrder = req.json()?;
    check_window(&body.pickup.window, "pickup.window")?;
    check_window(&body.dropoff.window, "dropoff.window")?;
    let (owner, source) = match who.role {
        Role::Client => {
            if body.client_id.is_some() {
                return Err(ApiError::Invalid {
                    code: "unknown_field",
                    field: "clientId".into(),
                    message: "a client creates orders for itself".into(),
                });
            }
            let client_id = who
                .client_id
                .clone()
                .ok_or_else(|| ApiError::Internal("client key without client".into()))?;
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
            (owner, Source::Portal)
        }
        Role::Courier => {
            let raw = body.client_id.as_ref().ok_or_else(|| ApiError::Invalid {
                code: "missing_field",
                field: "clientId".into(),
                message: "a courier names the client the order is for".into(),
            })?;
            let client = load_client(ctx, &who.courier_id, raw.as_str())
                .await
                .map_err(|e| match e {
                    ApiError::NotFound(_) => {
                        ApiError::invalid("clientId", "is not one of your clients")
                    }
                    e => e,
                })?;
            if client.status == ClientStatus::Deleted {
                return Err(ApiError::invalid("clientId", "is a deleted client"));
            }
            (OrderOwner::of_client(&client), Source::Api)
        }
    };
    let idempotency = idempotency_key.map(|key| {
        let request_hash = token::hash(&format!(
            "{}\n{}",
            who.org_id(),
            String::from_utf8_lossy(&req.body)
        ));
        Idempotency::new(who.org_id(), &key, request_hash)
    });
    let cmd = CreateOrder {
        owner,
        actor: actor(&who),
        source,
        pickup: Some(body.pickup),
        dropoff: body.dropoff,
        weight: body.weight,
        pieces: body.pieces,
        notes: body.notes,
        external_id: body.external_id,
        service_id: body.service_id,
        draft: if body.draft {
            DraftMode::Always
        } else {
            DraftMode::Never
        },
        idempotency,
        extra_writes: vec![],
        order_writes: None,
        marker: None,
        base_url: ctx.base_url(&req),
    };
    match place_order(ctx, cmd).await? {
        Placed::Created(order) => Ok(ApiResponse::created(&order.view())
            .with_header("location", &format!("/v1/orders/{}", order.id))),
        Placed::Replayed { status, body } => Ok(ApiResponse {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("idempotent-replayed".into(), "true".into()),
            ],
            body: body.into(),
        }),
        Placed::Refused { .. } => Err(ApiError::Internal(
            "an order without extra writes was refused".into(),
        )),
    }
}

/// `GET /v1/orders`: the HTTP adapter onto [`read::list_orders`].
pub async fn list_orders(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let filter = OrderFilter {
        search: SearchQuery::parse(req.query_param("q")).map_err(|e| ApiError::invalid("q", e))?,
        client: client_param(&req)?,
        statuses: statuses_param(&req)?,
        limit: page_limit(req.query_param("limit"))?,
        cursor: req.query_param("cursor").map(str::to_string),
    };
    let page = read::list_orders(ctx, who, &filter).await?;
    let views = page.orders.iter().map(Order::view).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

/// `clientId`: a courier's orders for one client.
pub(crate) fn client_param(req: &ApiRequest) -> Result<Option<ClientId>, ApiError> {
    req.query_param("clientId")
        .map(|raw| {
            ClientId::parse(raw).map_err(|_| ApiError::invalid("clientId", "is not a client id"))
        })
        .transpose()
}

/// `status`: one or several statuses (repeated or comma-separated).
pub(crate) fn statuses_param(req: &ApiRequest) -> Result<Vec<OrderStatus>, ApiError> {
    req.query
        .iter()
        .filter(|(k, _)| k == "status")
        .flat_map(|(_, v)| v.split(','))
        .map(|s| OrderStatus::parse(s.trim()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiError::invalid("status", "must be order statuses: draft, placed, scheduled, in_progress, completed, failed, rejected, withdrawn"))
}

/// `GET /v1/orders/{orderId}`: the HTTP adapter onto [`read::find_order`].
pub async fn get_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let order = read::find_order(ctx, who, req.path_param("orderId")?).await?;
    Ok(ApiResponse::ok(&order.view()).with_header("etag", &format!("\"{}\"", order.version)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderPatch {
    #[serde(default)]
    pickup: Option<Stop>,
    #[serde(default)]
    dropoff: Option<Stop>,
    #[serde(default, deserialize_with = "nullable")]
    weight: Option<Option<Weight>>,
    #[serde(default, deserialize_with = "nullable")]
    pieces: Option<Option<Pieces>>,
    #[serde(default, deserialize_with = "nullable")]
    notes: Option<Option<Notes>>,
    #[serde(default, deserialize_with = "nullable")]
    external_id: Option<Option<ExternalId>>,
    #[serde(default, deserialize_with = "nullable")]
    service_id: Option<Option<ServiceId>>,
    #[serde(default)]
    version: Option<u64>,
}

/// `PATCH /v1/orders/{orderId}`: the HTTP adapter onto [`edit_order`] (a client edits its
/// order until the pickup starts, at the version it last read).
pub async fn update_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    let patch: OrderPatch = req.json()?;
    let version = req
        .expected_version(patch.version)?
        .ok_or_else(|| ApiError::Invalid {
            code: "missing_field",
            field: "version".into(),
            message: "send the version you last read (body or If-Match)".into(),
        })?;
    let cmd = EditOrder {
        by: who.clone(),
        order_id: req.path_param("orderId")?.to_string(),
        version,
        changes: OrderChanges {
            pickup: patch.pickup,
            dropoff: patch.dropoff,
            weight: patch.weight,
            pieces: patch.pieces,
            notes: patch.notes,
            external_id: patch.external_id,
            service_id: patch.service_id,
        },
    };
    let saved = edit_order(ctx, cmd).await?;
    Ok(ApiResponse::ok(&saved.view()))
}

fn idempotency_key(req: &ApiRequest) -> Result<Option<String>, ApiError> {
    match req.header("idempotency-key") {
        None => Ok(None),
        Some(key)
            if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(key.to_string()))
        }
        Some(_) => Err(ApiError::Malformed {
            code: "invalid_header",
            message: "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
            field: Some("Idempotency-Key".into()),
        }),
    }
}
