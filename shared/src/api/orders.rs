//! Orders: `POST|GET /v1/orders`, `GET|PATCH /v1/orders/{orderId}`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::clients::load_client;
use super::records::{from_item, list_page, listing, to_item};
use super::search::{index_writes, reindex_writes, search_orders, Search};
use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::ClientStatus;
use crate::domain::ids::{next_ulid_at, ClientId};
use crate::domain::order::{self, Order, Source, Stop, Task, TimelineEntry, Window};
use crate::domain::order_machine::{transition, Event, OrderStatus, TaskKind, TaskState};
use crate::domain::search::SearchQuery;
use crate::domain::text::Notes;
use crate::domain::token;
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, Index, Item, Query, StoreError, Update, Write, PK};
use crate::Ctx;

/// How long an `Idempotency-Key` is remembered.
const IDEMPOTENCY_HOURS: i64 = 24;

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
    /// Save without sending to the courier.
    #[serde(default)]
    draft: bool,
    /// Courier only: the client the order is for.
    #[serde(default)]
    client_id: Option<ClientId>,
}

/// Weight in kg: above 0, at most 10 tonnes.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
struct Weight(f64);

impl TryFrom<f64> for Weight {
    type Error = String;
    fn try_from(w: f64) -> Result<Self, String> {
        if w.is_finite() && w > 0.0 && w <= 10_000.0 {
            Ok(Self(w))
        } else {
            Err("must be a weight in kg, above 0 and at most 10000".into())
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "u32")]
struct Pieces(u32);

impl TryFrom<u32> for Pieces {
    type Error = String;
    fn try_from(p: u32) -> Result<Self, String> {
        if (1..=10_000).contains(&p) {
            Ok(Self(p))
        } else {
            Err("must be a count from 1 to 10000".into())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "String")]
struct ExternalId(String);

impl TryFrom<String> for ExternalId {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        let id = raw.trim();
        if id.is_empty() || id.len() > 100 || id.chars().any(char::is_control) {
            return Err("must be 1 to 100 printable characters".into());
        }
        Ok(Self(id.to_string()))
    }
}

pub async fn create_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let idempotency_key = idempotency_key(&req)?;
    let body: NewOrder = req.json()?;
    check_window(&body.pickup.window, "pickup.window")?;
    check_window(&body.dropoff.window, "dropoff.window")?;
    let (client_id, client_name, team_id, source) = match who.role {
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
            (
                client_id,
                who.client_name.clone().unwrap_or_default(),
                who.auto_assign_team_id.clone(),
                Source::Portal,
            )
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
            (
                client.id,
                client.name.to_string(),
                client.auto_assign_team_id.map(String::from),
                Source::Api,
            )
        }
    };
    let now = ctx.now();
    let request_hash = token::hash(&format!(
        "{}\n{}",
        who.org_id(),
        String::from_utf8_lossy(&req.body)
    ));
    for _attempt in 0..3 {
        let order = build_order(
            ctx,
            &req,
            &who,
            &body,
            &client_id,
            &client_name,
            team_id.clone(),
            source,
            now,
        );
        let response = ApiResponse::created(&order.view())
            .with_header("location", &format!("/v1/orders/{}", order.id));
        let mut writes = vec![
            Write::Put {
                item: order_item(&order)?,
                cond: Some(Cond::not_exists(PK)),
            },
            Write::Put {
                item: to_item(
                    &json!({ "orderId": order.id }),
                    &short_id_key(&order),
                    "ShortId",
                )?,
                cond: Some(Cond::not_exists(PK)),
            },
            // The client must still exist (its deletion revokes its keys; this closes the race).
            Write::Check {
                key: keys::client(order.courier_id.as_str(), client_id.as_str()),
                cond: Cond::exists(PK).and(Cond::ne("status", ClientStatus::Deleted.as_str())),
            },
        ];
        if let Some(key) = &idempotency_key {
            let expires = now + chrono::Duration::hours(IDEMPOTENCY_HOURS);
            let record = json!({
                "requestHash": request_hash, "status": response.status, "response": String::from_utf8_lossy(&response.body),
                "orderId": order.id, "expiresAt": timestamp(expires), "ttl": expires.timestamp(),
            });
            writes.push(Write::Put {
                item: to_item(
                    &record,
                    &idempotency_record_key(&who, key),
                    "IdempotencyRecord",
                )?,
                cond: Some(Cond::Or(vec![
                    Cond::not_exists(PK),
                    Cond::lt("expiresAt", timestamp(now)),
                ])),
            });
        }
        // The search index, in the same transaction (after the writes whose failures the
        // positions above tell apart).
        writes.extend(index_writes(&order)?);
        match ctx.store.transact(writes).await {
            Ok(()) => return Ok(response),
            Err(e)
                if idempotency_key.is_some() && (e.condition_failed_at(3) || e.is_conflict()) =>
            {
                if let Some(replay) = replay(
                    ctx,
                    &who,
                    idempotency_key.as_deref().unwrap_or_default(),
                    &request_hash,
                )
                .await?
                {
                    return Ok(replay);
                }
            }
            Err(e) if e.condition_failed_at(2) => {
                return Err(ApiError::invalid("clientId", "is not an active client"))
            }
            // A short id collision (or a concurrent write): build a new order and try again.
            Err(e) if e.condition_failed_at(1) || e.is_conflict() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "concurrent_update",
        "the order could not be saved; retry",
    ))
}

#[allow(clippy::too_many_arguments)]
fn build_order(
    ctx: &Ctx,
    req: &ApiRequest,
    who: &Principal,
    body: &NewOrder,
    client_id: &ClientId,
    client_name: &str,
    team_id: Option<String>,
    source: Source,
    now: chrono::DateTime<chrono::Utc>,
) -> Order {
    let id = format!("ord_{}", next_ulid_at(now));
    let tracking_token = token::tracking_token();
    let at = timestamp(now);
    let task = |kind: TaskKind, stop: &Stop| Task {
        id: order::task_id(&id, kind),
        kind,
        stop: stop.clone(),
        state: TaskState::Unassigned,
        depends_on: (kind == TaskKind::Dropoff).then(|| order::task_id(&id, TaskKind::Pickup)),
        team_id: team_id.clone(),
        driver: None,
        eta: None,
        started_at: None,
        arrived_at: None,
        completed_at: None,
        proof: None,
        failure_reason: None,
    };
    let status = if body.draft {
        OrderStatus::Draft
    } else {
        OrderStatus::Placed
    };
    Order {
        short_id: order::new_short_id(),
        courier_id: who.courier_id.clone(),
        client_id: client_id.clone(),
        client_name: client_name.to_string(),
        status,
        pickup: task(TaskKind::Pickup, &body.pickup),
        dropoff: task(TaskKind::Dropoff, &body.dropoff),
        weight: body.weight.map(|w| w.0),
        pieces: body.pieces.map(|p| p.0),
        notes: body.notes.as_ref().map(|n| n.to_string()),
        external_id: body.external_id.as_ref().map(|e| e.0.clone()),
        source,
        team_id: team_id.clone(),
        rejection: None,
        draft_reasons: vec![],
        tracking_url: format!("{}/track/{tracking_token}", ctx.base_url(req)),
        tracking_token,
        timeline: vec![TimelineEntry {
            at: at.clone(),
            what: status.as_str().into(),
            by: actor(who),
            detail: None,
        }],
        version: 1,
        created_at: at.clone(),
        updated_at: at,
        id,
    }
}

pub async fn list_orders(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let limit = page_limit(req.query_param("limit"))?;
    let query = SearchQuery::parse(req.query_param("q")).map_err(|e| ApiError::invalid("q", e))?;
    if let Some(query) = query {
        let search = Search {
            who,
            query,
            client: match who.role {
                Role::Courier => client_filter(&req)?,
                Role::Client => None,
            },
            status: status_filter(&req)?,
            limit,
        };
        let (orders, next) = search_orders(ctx, &search, req.query_param("cursor")).await?;
        let views = orders.iter().map(Order::view).collect();
        return Ok(ApiResponse::ok(&listing(views, next)));
    }
    let (items, next) = list_page(
        ctx.store.as_ref(),
        orders_query(&req, who)?,
        limit,
        req.query_param("cursor"),
    )
    .await?;
    let views = items
        .into_iter()
        .map(|i| from_item::<Order>(i).map(|o| o.view()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiResponse::ok(&listing(views, next)))
}

/// The query behind `GET /v1/orders` without `q` and behind its export: newest first, the
/// caller's orders only, filtered by `clientId` (courier) and `status` (one or several).
pub fn orders_query(req: &ApiRequest, who: &Principal) -> Result<Query, ApiError> {
    let mut filters: Vec<Cond> = status_filter(req)?.into_iter().collect();
    let query = match (&who.role, &who.client_id, client_filter(req)?) {
        (Role::Client, Some(client), _) => {
            Query::partition(format!("CLIENT#{client}")).on(Index::Gsi1)
        }
        (Role::Courier, _, Some(client)) => {
            // The index holds every courier's clients: keep this courier's orders only.
            filters.push(Cond::eq("courierId", who.courier_id.as_str()));
            Query::partition(format!("CLIENT#{client}")).on(Index::Gsi1)
        }
        _ => {
            Query::partition(keys::courier_pk(who.courier_id.as_str())).sk_begins_with(ORDER_PREFIX)
        }
    };
    let filter = match filters.len() {
        0 => None,
        1 => filters.pop(),
        _ => Some(Cond::And(filters)),
    };
    Ok(query.descending().filter(filter))
}

/// `clientId`: a courier's orders for one client.
fn client_filter(req: &ApiRequest) -> Result<Option<ClientId>, ApiError> {
    req.query_param("clientId")
        .map(|raw| {
            ClientId::parse(raw).map_err(|_| ApiError::invalid("clientId", "is not a client id"))
        })
        .transpose()
}

/// `status`: one or several statuses (repeated or comma-separated).
fn status_filter(req: &ApiRequest) -> Result<Option<Cond>, ApiError> {
    let statuses: Vec<&str> = req
        .query
        .iter()
        .filter(|(k, _)| k == "status")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect();
    if statuses.is_empty() {
        return Ok(None);
    }
    let parsed = statuses
        .iter()
        .map(|s| OrderStatus::parse(s).map(OrderStatus::as_str))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiError::invalid("status", "must be order statuses: draft, placed, scheduled, in_progress, completed, failed, rejected, withdrawn"))?;
    Ok(Some(Cond::one_of("status", parsed)))
}

pub async fn get_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let order = load_order(ctx, who, req.path_param("orderId")?).await?;
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
    #[serde(default)]
    version: Option<u64>,
}

/// Edits an order until its pickup starts, at the version the client last read.
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
    if let Some(stop) = &patch.pickup {
        check_window(&stop.window, "pickup.window")?;
    }
    if let Some(stop) = &patch.dropoff {
        check_window(&stop.window, "dropoff.window")?;
    }
    let order = load_order(ctx, who, req.path_param("orderId")?).await?;
    if order.version != version {
        return Err(stale(order.version));
    }
    transition(order.state(), Event::Edit)
        .map_err(|e| ApiError::conflict("invalid_state", e.to_string()))?;
    let mut edited = order.clone();
    let mut update = Update::new();
    if let Some(stop) = patch.pickup {
        edited.pickup.stop = stop;
    }
    if let Some(stop) = patch.dropoff {
        edited.dropoff.stop = stop;
    }
    if let Some(weight) = patch.weight {
        edited.weight = weight.map(|w| w.0);
    }
    if let Some(pieces) = patch.pieces {
        edited.pieces = pieces.map(|p| p.0);
    }
    if let Some(notes) = patch.notes {
        edited.notes = notes.map(String::from);
    }
    if let Some(external) = patch.external_id {
        edited.external_id = external.map(|e| e.0);
    }
    // Whole tasks are written back: they carry dispatch fields the edit keeps as they were.
    for (path, value) in [
        (
            "pickup",
            serde_json::to_value(&edited.pickup).unwrap_or_default(),
        ),
        (
            "dropoff",
            serde_json::to_value(&edited.dropoff).unwrap_or_default(),
        ),
    ] {
        update = update.set(path, value);
    }
    update = update
        .set_or_remove("weight", edited.weight.map(Value::from))
        .set_or_remove("pieces", edited.pieces.map(Value::from))
        .set_or_remove("notes", edited.notes.clone().map(Value::from))
        .set_or_remove("externalId", edited.external_id.clone().map(Value::from));
    let entry = TimelineEntry {
        at: timestamp(ctx.now()),
        what: "edited".into(),
        by: actor(who),
        detail: None,
    };
    let reindex = reindex_writes(&order, &edited)?;
    if reindex.is_empty() {
        let saved = apply(ctx, &order, update, entry).await?;
        return Ok(ApiResponse::ok(&saved.view()));
    }
    // The order and its search terms change together: stale terms go in the same transaction.
    let mut writes = vec![Write::Update {
        key: order_key(order.courier_id.as_str(), &order.id),
        update: versioned(update, &entry),
        cond: Some(Cond::eq("version", order.version)),
    }];
    writes.extend(reindex);
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) || e.is_conflict() {
            stale(order.version + 1)
        } else {
            e.into()
        }
    })?;
    edited.version += 1;
    edited.updated_at = entry.at.clone();
    edited.timeline.push(entry);
    Ok(ApiResponse::ok(&edited.view()))
}

/// `update` plus what every change of an order writes: `updatedAt`, the timeline entry and
/// the next version.
fn versioned(update: Update, entry: &TimelineEntry) -> Update {
    update
        .set("updatedAt", entry.at.as_str())
        .append(
            "timeline",
            vec![serde_json::to_value(entry).unwrap_or_default()],
        )
        .increment("version", 1)
}

/// Writes an order change at the version it was read, appending to the timeline.
pub async fn apply(
    ctx: &Ctx,
    order: &Order,
    update: Update,
    entry: TimelineEntry,
) -> Result<Order, ApiError> {
    let update = versioned(update, &entry);
    let saved = ctx
        .store
        .update(
            &order_key(order.courier_id.as_str(), &order.id),
            &update,
            Some(Cond::eq("version", order.version)),
        )
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed { .. } => stale(order.version + 1),
            e => e.into(),
        })?;
    from_item(saved)
}

/// The caller's order by id or short id; anyone else's answers 404 like a missing one.
pub async fn load_order(ctx: &Ctx, who: &Principal, raw: &str) -> Result<Order, ApiError> {
    let not_found = || ApiError::NotFound("order");
    let item = if let Some(id) = order::parse_order_id(raw) {
        ctx.store
            .get(&order_key(who.courier_id.as_str(), &id))
            .await?
    } else if let Some(short) = order::parse_short_id(raw) {
        let page = ctx
            .store
            .query(
                &Query::partition(short_id_index_pk(who.courier_id.as_str(), &short))
                    .on(Index::Gsi2)
                    .limit(1),
            )
            .await?;
        page.items.into_iter().next()
    } else {
        None
    };
    let order: Order = from_item(item.ok_or_else(not_found)?)?;
    if order.courier_id != who.courier_id
        || (who.role == Role::Client && who.client_id.as_ref() != Some(&order.client_id))
    {
        return Err(not_found());
    }
    Ok(order)
}

pub const ORDER_PREFIX: &str = "ORDER#";

pub fn order_key(courier_id: &str, order_id: &str) -> crate::store::Key {
    crate::store::Key::new(
        keys::courier_pk(courier_id),
        format!("{ORDER_PREFIX}{order_id}"),
    )
}

fn short_id_key(order: &Order) -> crate::store::Key {
    crate::store::Key::new(
        keys::courier_pk(order.courier_id.as_str()),
        format!("SHORTID#{}", order.short_id),
    )
}

fn short_id_index_pk(courier_id: &str, short_id: &str) -> String {
    format!("SHORT#{courier_id}#{short_id}")
}

fn idempotency_record_key(who: &Principal, key: &str) -> crate::store::Key {
    crate::store::Key::new(
        format!("IDEMPOTENCY#{}#{}", who.org_id(), token::hash(key)),
        "IDEMPOTENCY",
    )
}

/// The stored order: the order, its keys and its index keys.
pub fn order_item(order: &Order) -> Result<Item, ApiError> {
    let mut item = to_item(
        order,
        &order_key(order.courier_id.as_str(), &order.id),
        "Order",
    )?;
    item.insert(
        "GSI1PK".into(),
        format!("CLIENT#{}", order.client_id).into(),
    );
    item.insert(
        "GSI1SK".into(),
        format!("{ORDER_PREFIX}{}", order.id).into(),
    );
    item.insert(
        "GSI2PK".into(),
        short_id_index_pk(order.courier_id.as_str(), &order.short_id).into(),
    );
    item.insert("GSI2SK".into(), "ORDER".into());
    item.insert(
        "GSI3PK".into(),
        keys::tracking_pk(&order.tracking_token).into(),
    );
    item.insert("GSI3SK".into(), keys::TRACKING_SK.into());
    Ok(item)
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

/// The first response to this key, when it was for the same request; another request with
/// the same key is refused.
async fn replay(
    ctx: &Ctx,
    who: &Principal,
    key: &str,
    request_hash: &str,
) -> Result<Option<ApiResponse>, ApiError> {
    let Some(record) = ctx.store.get(&idempotency_record_key(who, key)).await? else {
        return Ok(None);
    };
    if record.get("requestHash").and_then(Value::as_str) != Some(request_hash) {
        return Err(ApiError::Invalid {
            code: "idempotency_key_reused",
            field: "Idempotency-Key".into(),
            message: "this Idempotency-Key was used for a different request".into(),
        });
    }
    let status = record.get("status").and_then(Value::as_u64).unwrap_or(201) as u16;
    let body = record
        .get("response")
        .and_then(Value::as_str)
        .unwrap_or("{}")
        .to_string();
    Ok(Some(ApiResponse {
        status,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("idempotent-replayed".into(), "true".into()),
        ],
        body: body.into(),
    }))
}

fn check_window(window: &Window, field: &str) -> Result<(), ApiError> {
    if let (Some(after), Some(before)) = (window.complete_after, window.complete_before) {
        if after >= before {
            return Err(ApiError::invalid(
                format!("{field}.completeBefore"),
                "must be later than completeAfter",
            ));
        }
    }
    Ok(())
}

pub fn actor(who: &Principal) -> String {
    match who.role {
        Role::Courier => format!("courier:{}", who.courier_id),
        Role::Client => format!(
            "client:{}",
            who.client_id
                .as_ref()
                .map(ClientId::as_str)
                .unwrap_or_default()
        ),
    }
}

pub fn stale(current: u64) -> ApiError {
    ApiError::conflict("version_conflict", format!("the order was changed by someone else (now at version {current} or later); read it again"))
}
