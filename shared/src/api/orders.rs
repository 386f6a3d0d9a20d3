//! Orders: `POST|GET /v1/orders`, `GET|PATCH /v1/orders/{orderId}`.

use serde::Deserialize;

use super::records::listing;
use crate::domain::created_days::CreatedDays;
use crate::domain::ids::{ClientId, ServiceId};
use crate::domain::order::{Order, Stop};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::order_machine::OrderStatus;
use crate::domain::pricing::Weight;
use crate::domain::search::SearchQuery;
use crate::domain::text::Notes;
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::observe::metrics::{self, Channel};
use crate::ordering::{
    self, edit_order, read, Created, EditOrder, IdempotencyKey, NewOrder, OrderChanges, OrderError,
    OrderField, OrderFilter,
};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrderBody {
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

/// `POST /v1/orders`: the HTTP adapter onto [`create_order`].
pub async fn create_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let idempotency_key = idempotency_key(&req)?;
    let body: NewOrderBody = req.json()?;
    let cmd = NewOrder {
        by: who,
        pickup: body.pickup,
        dropoff: body.dropoff,
        weight: body.weight,
        pieces: body.pieces,
        notes: body.notes,
        external_id: body.external_id,
        service_id: body.service_id,
        draft: body.draft,
        client_id: body.client_id,
        idempotency: idempotency_key.map(|key| IdempotencyKey {
            key,
            request: String::from_utf8_lossy(&req.body).into_owned(),
        }),
        base_url: ctx.base_url(&req),
    };
    match ordering::create_order(ctx, cmd).await? {
        Created::Order(order) => {
            metrics::order_created(Channel::Api, order.status == OrderStatus::Draft);
            Ok(ApiResponse::created(&order.view())
                .with_header("location", &format!("/v1/orders/{}", order.id)))
        }
        Created::Replayed { status, body, .. } => Ok(ApiResponse {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("idempotent-replayed".into(), "true".into()),
            ],
            body: body.into(),
        }),
    }
}

/// `GET /v1/orders`: the HTTP adapter onto [`read::list_orders`].
pub async fn list_orders(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let filter = OrderFilter {
        search: SearchQuery::parse(req.query_param("q")).map_err(|e| ApiError::invalid("q", e))?,
        client: client_param(&req)?,
        statuses: statuses_param(&req)?,
        created: created_param(&req)?,
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

/// `createdFrom` and `createdTo`: days (`YYYY-MM-DD`, UTC) of creation, both inclusive,
/// both optional; the use case refuses a range whose start is after its end.
fn created_param(req: &ApiRequest) -> Result<CreatedDays, ApiError> {
    let day = |field: OrderField| {
        req.query_param(field.api_name())
            .map(|raw| {
                CreatedDays::parse_day(raw)
                    .ok_or_else(|| OrderError::invalid(field, "must be a date as YYYY-MM-DD (UTC)"))
            })
            .transpose()
    };
    Ok(CreatedDays {
        from: day(OrderField::CreatedFrom)?,
        to: day(OrderField::CreatedTo)?,
        zone: Default::default(),
    })
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
pub struct OrderPatch {
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

pub(crate) fn idempotency_key(req: &ApiRequest) -> Result<Option<String>, ApiError> {
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
