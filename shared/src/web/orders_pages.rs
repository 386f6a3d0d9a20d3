//! `GET /orders` (the table, filters, search, pages) and `GET /orders/{orderId}` (the
//! order with its timeline, tasks, proof and rejection): thin adapters onto the JSON
//! use cases `list_orders` and `get_order`, so tenant rules are the API's own (another
//! client's order answers 404 there, and here).

use askama::Template;
use serde_json::Value;

use super::{as_api, html, not_found, signed_in};
use crate::api::orders::{get_order, list_orders};
use crate::domain::api_key::Principal;
use crate::domain::order_machine::{transition, Event, OrderState, OrderStatus};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

/// Statuses a person can filter on, with the words the table shows.
const STATUSES: [(&str, &str); 8] = [
    ("draft", "Draft"),
    ("placed", "Placed"),
    ("scheduled", "Scheduled"),
    ("in_progress", "In progress"),
    ("completed", "Completed"),
    ("failed", "Failed"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
];

pub struct Row {
    pub id: String,
    pub short_id: String,
    pub recipient: String,
    pub address: String,
    pub status: String,
    pub status_text: String,
    pub created: String,
    pub updated: String,
    pub service: String,
    pub price: String,
}

#[derive(Template)]
#[template(path = "web/orders.html")]
struct OrdersPage {
    client_name: String,
    logo_url: Option<String>,
    rows: Vec<Row>,
    /// The courier's name (for a client, its courier): the table's "Courier" column.
    courier: String,
    q: String,
    status: String,
    from: String,
    to: String,
    next: Option<String>,
    statuses: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

pub async fn orders_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let param = |name: &str| req.query_param(name).unwrap_or("").trim().to_string();
    let (q, status, from, to) = (param("q"), param("status"), param("from"), param("to"));
    let mut api = as_api(principal.clone(), &req);
    api.query.push(("limit".into(), "50".into()));
    for (name, value) in [("q", &q), ("status", &status), ("cursor", &param("cursor"))] {
        if !value.is_empty() {
            api.query.push((name.into(), value.clone()));
        }
    }
    let mut page = OrdersPage {
        client_name: principal.client_name.clone().unwrap_or_default(),
        logo_url: principal.logo_url.clone(),
        rows: vec![],
        courier: courier_name(ctx, principal.courier_id.as_str()).await?,
        q,
        status,
        from,
        to,
        next: None,
        statuses: STATUSES.to_vec(),
        error: None,
    };
    match list_orders(ctx, api).await {
        Ok(response) => {
            let body: Value = serde_json::from_slice(&response.body).unwrap_or_default();
            // The date range applies to the creation day (`YYYY-MM-DD`, inclusive).
            let in_range = |created: &str| {
                let day = created.get(..10).unwrap_or("");
                (page.from.is_empty() || day >= page.from.as_str())
                    && (page.to.is_empty() || day <= page.to.as_str())
            };
            page.rows = body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|o| in_range(o["createdAt"].as_str().unwrap_or("")))
                .map(row)
                .collect();
            page.next = body["nextCursor"].as_str().map(str::to_string);
        }
        Err(ApiError::Invalid { message, field, .. }) => {
            page.error = Some(format!("{field}: {message}"));
        }
        Err(e) => return Err(e),
    }
    Ok(html(200, &page))
}

/// The courier's name, from its profile (one read per page: every row has the same courier).
async fn courier_name(ctx: &Ctx, courier_id: &str) -> Result<String, ApiError> {
    Ok(ctx
        .store
        .get(&crate::store::keys::courier(courier_id))
        .await?
        .and_then(|item| {
            item.get("name")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default())
}

/// A string field of an API answer, or nothing.
pub(super) fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

/// A timestamp as the API gives it, to the minute, in the offset it was given with:
/// `2026-12-01T08:30:00Z` as `2026-12-01 08:30`.
pub(super) fn when(v: &Value) -> String {
    let t = v.as_str().unwrap_or("");
    match (t.get(..10), t.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => t.to_string(),
    }
}

fn status_text(status: &str) -> String {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| status.to_string())
}

/// Integer minor units with two decimals (the currencies our couriers price in).
pub(crate) fn money(quote: &Value) -> String {
    match (quote["price"].as_i64(), quote["currency"].as_str()) {
        (Some(minor), Some(currency)) => format!("{}.{:02} {currency}", minor / 100, minor % 100),
        _ => String::new(),
    }
}

fn one_line(address: &Value) -> String {
    ["line1", "city"]
        .iter()
        .filter_map(|k| address[*k].as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(order: &Value) -> Row {
    let status = text(&order["status"]);
    Row {
        id: text(&order["id"]),
        short_id: text(&order["shortId"]),
        recipient: text(&order["dropoff"]["contact"]["name"]),
        address: one_line(&order["dropoff"]["address"]),
        status_text: status_text(&status),
        status,
        created: when(&order["createdAt"]),
        updated: when(&order["updatedAt"]),
        service: text(&order["quote"]["serviceName"]),
        price: money(&order["quote"]),
    }
}

pub struct TaskView {
    pub kind: &'static str,
    pub address: String,
    pub contact: String,
    pub state: String,
    pub driver: String,
    pub eta: String,
    pub completed: String,
    pub failure: String,
    /// When the task may be done: "after …", "before …" or "… – …"; empty when any time.
    pub window: String,
    /// What the driver must collect: signature, photo, notes, minimum age.
    pub requirements: String,
}

/// A task's time window as the client gave it.
fn window(w: &Value) -> String {
    match (when(&w["completeAfter"]), when(&w["completeBefore"])) {
        (after, before) if after.is_empty() && before.is_empty() => String::new(),
        (after, before) if before.is_empty() => format!("after {after}"),
        (after, before) if after.is_empty() => format!("before {before}"),
        (after, before) => match (after.split_once(' '), before.split_once(' ')) {
            // Same day: "2026-12-07 09:00 – 12:00".
            (Some((day, _)), Some((same, time))) if day == same => format!("{after} – {time}"),
            _ => format!("{after} – {before}"),
        },
    }
}

/// A task's requirements in words.
fn requirements(r: &Value) -> String {
    let mut needs: Vec<String> = [
        ("signature", "signature"),
        ("photo", "photo"),
        ("notes", "notes"),
    ]
    .into_iter()
    .filter(|(field, _)| r[*field].as_bool() == Some(true))
    .map(|(_, words)| words.to_string())
    .collect();
    if let Some(age) = r["minimumAge"].as_u64() {
        needs.push(format!("recipient aged {age}+"));
    }
    needs.join(", ")
}

pub struct ProofView {
    pub signature: String,
    pub photos: Vec<String>,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "web/order.html")]
struct OrderPage {
    client_name: String,
    logo_url: Option<String>,
    row: Row,
    tasks: Vec<TaskView>,
    timeline: Vec<(String, String, String)>,
    proof: Option<ProofView>,
    rejection: Option<String>,
    tracking_url: String,
    notes: String,
    /// For a rejected order: the dropoff to edit, and the version it was read at.
    edit: Option<DropoffEdit>,
    /// A draft's reasons (why it could not be placed as it is).
    draft_reasons: Vec<String>,
    /// What the client can still do: submit a draft, withdraw, edit (until pickup starts).
    can_finalize: bool,
    can_withdraw: bool,
    change: Option<super::order_edit_pages::EditForm>,
}

pub struct DropoffEdit {
    pub version: u64,
    pub line1: String,
    pub city: String,
    pub name: String,
    pub phone: String,
}

pub async fn order_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let Some(order) = read_order(ctx, &req, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
    Ok(html(200, &order_view(&principal, &order, None)))
}

/// The signed-in organisation's order as `GET /v1/orders/{orderId}` shows it; `None`
/// when it has no such order.
pub(super) async fn read_order(
    ctx: &Ctx,
    req: &ApiRequest,
    principal: &Principal,
    order_id: &str,
) -> Result<Option<Value>, ApiError> {
    let mut api = as_api(principal.clone(), req);
    api.path_params
        .insert("orderId".into(), order_id.to_string());
    match get_order(ctx, api).await {
        Ok(response) => Ok(Some(
            serde_json::from_slice(&response.body).unwrap_or_default(),
        )),
        Err(ApiError::NotFound(_) | ApiError::Invalid { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The order's page; `change` is the edit form as sent (with its errors) when it was refused.
pub(super) fn order_view(
    principal: &Principal,
    order: &Value,
    change: Option<super::order_edit_pages::EditForm>,
) -> impl Template {
    let task = |kind: &'static str| {
        let t = &order[kind];
        TaskView {
            kind,
            address: one_line(&t["address"]),
            contact: [text(&t["contact"]["name"]), text(&t["contact"]["phone"])]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            state: text(&t["state"]),
            driver: text(&t["driver"]["name"]),
            eta: when(&t["eta"]),
            completed: when(&t["completedAt"]),
            failure: text(&t["failureReason"]),
            window: window(&t["window"]),
            requirements: requirements(&t["requirements"]),
        }
    };
    let dropoff_proof = &order["dropoff"]["proof"];
    let proof = dropoff_proof.is_object().then(|| ProofView {
        signature: text(&dropoff_proof["signature"]),
        photos: dropoff_proof["photos"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str())
            .filter(|p| p.starts_with("https://") || p.starts_with("http://"))
            .map(str::to_string)
            .collect(),
        notes: text(&dropoff_proof["notes"]),
    });
    let page = OrderPage {
        client_name: principal.client_name.clone().unwrap_or_default(),
        logo_url: principal.logo_url.clone(),
        row: row(order),
        tasks: vec![task("pickup"), task("dropoff")],
        timeline: order["timeline"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| (when(&e["at"]), text(&e["what"]), text(&e["detail"])))
            .collect(),
        proof,
        rejection: order["rejection"]["reason"].as_str().map(str::to_string),
        tracking_url: text(&order["trackingUrl"]),
        notes: text(&order["notes"]),
        edit: (order["status"] == "rejected").then(|| DropoffEdit {
            version: order["version"].as_u64().unwrap_or(0),
            line1: text(&order["dropoff"]["address"]["line1"]),
            city: text(&order["dropoff"]["address"]["city"]),
            name: text(&order["dropoff"]["contact"]["name"]),
            phone: text(&order["dropoff"]["contact"]["phone"]),
        }),
        draft_reasons: order["draftReasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(super::drafts_pages::reason_text)
            .collect(),
        can_finalize: allows(order, Event::Finalize),
        can_withdraw: allows(order, Event::Withdraw),
        change: match change {
            Some(form) => Some(form),
            // A rejected order has its own form (Save and resubmit).
            None if allows(order, Event::Edit) && order["status"] != "rejected" => {
                Some(super::order_edit_pages::EditForm::of(order))
            }
            None => None,
        },
    };
    page
}

/// Whether the order's status lets the client do `event` (the status machine decides).
fn allows(order: &Value, event: Event) -> bool {
    OrderStatus::parse(order["status"].as_str().unwrap_or(""))
        .is_some_and(|status| transition(OrderState::new(status), event).is_ok())
}
