//! Orders: `POST|GET /v1/orders`, `GET|PATCH /v1/orders/{orderId}`.

use serde::Deserialize;
use serde_json::Value;

use super::clients::load_client;
use super::records::{from_item, list_page, listing, to_item};
use super::search::{reindex_writes, search_orders, Search};
use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::ClientStatus;
use crate::domain::ids::{ClientId, ServiceId};
use crate::domain::order::{self, Order, Source, Stop, TimelineEntry, Window};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::order_machine::{transition, Event, OrderStatus};
use crate::domain::pricing::Quoting;
use crate::domain::pricing::Weight;
use crate::domain::search::SearchQuery;
use crate::domain::text::Notes;
use crate::domain::token;
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::ordering::{
    place_order, quoting, CreateOrder, DraftMode, Idempotency, OrderOwner, Placed,
};
use crate::store::{keys, Cond, Index, Item, Query, StoreError, Update, Write};
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
    #[serde(default, deserialize_with = "nullable")]
    service_id: Option<Option<ServiceId>>,
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
        edited.weight = weight;
    }
    if let Some(pieces) = patch.pieces {
        edited.pieces = pieces.map(Pieces::get);
    }
    if let Some(notes) = patch.notes {
        edited.notes = notes.map(String::from);
    }
    if let Some(external) = patch.external_id {
        edited.external_id = external.map(String::from);
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
        .set_or_remove("weight", edited.weight.map(|w| Value::from(w.kg())))
        .set_or_remove("pieces", edited.pieces.map(Value::from))
        .set_or_remove("notes", edited.notes.clone().map(Value::from))
        .set_or_remove("externalId", edited.external_id.clone().map(Value::from));
    if let Some(service_id) = patch.service_id {
        edited.service_id = service_id;
        update = update.set_or_remove(
            "serviceId",
            edited.service_id.as_ref().map(|s| Value::from(s.as_str())),
        );
    }
    if who.has_services || edited.service_id.is_some() {
        update = requote(ctx, who, &mut edited, update).await?;
    }
    let entry = TimelineEntry {
        at: timestamp(ctx.now()),
        what: "edited".into(),
        by: actor(who),
        detail: None,
    };
    // An imported draft's terms are written when it is placed, from its fields then.
    let reindex = if order.unindexed {
        vec![]
    } else {
        reindex_writes(&order, &edited)?
    };
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

/// Quotes an edited order again (clients with services): a draft takes the new quote or
/// the reasons it has none; a placed order that can no longer be quoted is not changed (422).
async fn requote(
    ctx: &Ctx,
    who: &Principal,
    edited: &mut Order,
    update: Update,
) -> Result<Update, ApiError> {
    let (pricing, rule) = if who.has_services {
        let client = load_client(ctx, &who.courier_id, edited.client_id.as_str()).await?;
        (client.pricing, client.service_selection)
    } else {
        (None, Default::default())
    };
    let quoting = quoting::quote(
        pricing.as_ref(),
        rule,
        edited.service_id.as_ref(),
        &quoting::shipment(
            &edited.pickup.stop,
            &edited.dropoff.stop,
            edited.weight,
            edited.pieces,
        ),
        ctx.now(),
    )?;
    Ok(match quoting {
        Quoting::Unpriced => update,
        Quoting::Quoted(quote) => {
            edited.quote = Some(quote);
            edited.draft_reasons.clear();
            update
                .set(
                    "quote",
                    serde_json::to_value(&edited.quote).unwrap_or_default(),
                )
                .remove("draftReasons")
        }
        Quoting::Unquotable { reasons, services } => {
            if edited.status != OrderStatus::Draft {
                return Err(quoting::unquotable(
                    edited.service_id.as_ref(),
                    &reasons,
                    services,
                ));
            }
            edited.quote = None;
            edited.draft_reasons = quoting::reason_codes(&reasons);
            update
                .remove("quote")
                .set("draftReasons", serde_json::json!(edited.draft_reasons))
        }
    })
}

/// `update` plus what every change of an order writes: `updatedAt`, the timeline entry and
/// the next version.
pub(crate) fn versioned(update: Update, entry: &TimelineEntry) -> Update {
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

pub(crate) fn short_id_key(order: &Order) -> crate::store::Key {
    crate::store::Key::new(
        keys::courier_pk(order.courier_id.as_str()),
        format!("SHORTID#{}", order.short_id),
    )
}

fn short_id_index_pk(courier_id: &str, short_id: &str) -> String {
    format!("SHORT#{courier_id}#{short_id}")
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
    if order.status == OrderStatus::Draft {
        item.insert("GSI4PK".into(), keys::DRAFTS_PK.into());
        item.insert(
            "GSI4SK".into(),
            keys::draft_sk(&order.created_at, &order.id).into(),
        );
    }
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
