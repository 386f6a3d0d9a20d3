//! `GET /orders` (the table, filters, search, pages) and `GET /orders/{orderId}` (the
//! order with its timeline, tasks, proof and rejection): thin adapters onto the use cases
//! `ordering::list_orders` and `ordering::find_order`, as the JSON API is, so tenant rules
//! are written once (another client's order answers 404 there, and here).

use askama::Template;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

use super::client_zone::client_and_zone;
use super::format::{money, to_minute as when};
use super::order_form::EditForm;
use super::{html, not_found, signed_in};
use crate::domain::address::Address;
use crate::domain::api_key::Principal;
use crate::domain::order::{Order, Requirements, Stop, Task, Window};
use crate::domain::order_machine::{transition, Event, OrderStatus};
use crate::domain::search::SearchQuery;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::{find_order, list_orders, OrderError, OrderFilter};
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
    let filter = match order_filter(&page.q, &page.status, &param("cursor")) {
        Ok(filter) => filter,
        Err(message) => {
            page.error = Some(message);
            return Ok(html(200, &page));
        }
    };
    let listed = match list_orders(ctx, &principal, &filter).await {
        Ok(listed) => listed,
        Err(e @ OrderError::InvalidCursor) => {
            // A cursor that is not this list's (edited by hand, or of another search).
            page.error = Some(format!("This page of results cannot be shown: {e}"));
            return Ok(html(200, &page));
        }
        Err(e) => return Err(e.into()),
    };
    // The date range applies to the creation day (`YYYY-MM-DD`, inclusive).
    let in_range = |created: &str| {
        let day = created.get(..10).unwrap_or("");
        (page.from.is_empty() || day >= page.from.as_str())
            && (page.to.is_empty() || day <= page.to.as_str())
    };
    page.rows = listed
        .orders
        .iter()
        .filter(|o| in_range(&o.created_at))
        .map(row)
        .collect();
    page.next = listed.next_cursor;
    Ok(html(200, &page))
}

/// Orders a page shows.
const PAGE_SIZE: u32 = 50;

/// The list's filter from the page's query; a message for what cannot be read.
fn order_filter(q: &str, status: &str, cursor: &str) -> Result<OrderFilter, String> {
    let search = SearchQuery::parse(Some(q)).map_err(|e| format!("The search {e}."))?;
    let statuses = match status {
        "" => vec![],
        raw => vec![OrderStatus::parse(raw).ok_or("Choose a status from the list.")?],
    };
    Ok(OrderFilter {
        search,
        client: None,
        statuses,
        limit: PAGE_SIZE,
        cursor: (!cursor.is_empty()).then(|| cursor.to_string()),
    })
}

/// The courier's name, from its profile (one read per page: every row has the same courier).
async fn courier_name(ctx: &Ctx, courier_id: &str) -> Result<String, ApiError> {
    Ok(crate::store::couriers::get(ctx.store.as_ref(), courier_id)
        .await?
        .map(|courier| courier.name)
        .unwrap_or_default())
}

fn status_text(status: &str) -> String {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| status.to_string())
}

/// An address as a list shows it: the first line and the city.
fn one_line(address: &Address) -> String {
    std::iter::once(address.line1.as_str())
        .chain(address.city.as_ref().map(|c| c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn contact_name(stop: &Stop) -> String {
    stop.contact
        .as_ref()
        .map(|c| c.name.to_string())
        .unwrap_or_default()
}

fn row(order: &Order) -> Row {
    let status = order.status.as_str();
    let quote = order.quote.as_ref();
    Row {
        id: order.id.clone(),
        short_id: order.short_id.clone(),
        recipient: contact_name(&order.dropoff.stop),
        address: one_line(&order.dropoff.stop.address),
        status_text: status_text(status),
        status: status.to_string(),
        created: when(&order.created_at),
        updated: when(&order.updated_at),
        service: quote.map(|q| q.service_name.clone()).unwrap_or_default(),
        price: quote
            .map(|q| money(q.price, q.currency.code()))
            .unwrap_or_default(),
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

/// A task's time window as the client gave it, in the offset it was given in.
fn window(w: &Window) -> String {
    let at = |t: &Option<DateTime<FixedOffset>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    match (at(&w.complete_after), at(&w.complete_before)) {
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
fn requirements(r: &Requirements) -> String {
    let mut needs: Vec<String> = [
        (r.signature, "signature"),
        (r.photo, "photo"),
        (r.notes, "notes"),
    ]
    .into_iter()
    .filter(|(required, _)| *required)
    .map(|(_, words)| words.to_string())
    .collect();
    if let Some(age) = r.minimum_age {
        needs.push(format!("recipient aged {}+", u8::from(age)));
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
    /// A draft's reasons (why it could not be placed as it is).
    draft_reasons: Vec<String>,
    /// What the client can still do: submit a draft, withdraw, edit (until pickup starts;
    /// a rejected order: edit and resubmit).
    can_finalize: bool,
    can_withdraw: bool,
    change: Option<EditForm>,
}

pub async fn order_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let Some(order) = read_order(ctx, &principal, req.path_param("orderId")?).await? else {
        return Ok(not_found(true));
    };
    let (_, zone) = client_and_zone(ctx, &principal).await?;
    Ok(html(200, &order_view(&principal, &order, zone, None)))
}

/// The signed-in organisation's order; `None` when it has no such order.
pub(super) async fn read_order(
    ctx: &Ctx,
    principal: &Principal,
    order_id: &str,
) -> Result<Option<Order>, ApiError> {
    match find_order(ctx, principal, order_id).await {
        Ok(order) => Ok(Some(order)),
        Err(OrderError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn task_view(task: &Task) -> TaskView {
    let stop = &task.stop;
    let phone = stop.contact.as_ref().and_then(|c| c.phone.as_ref());
    TaskView {
        kind: task.kind.as_str(),
        // The whole address on the order's page; the table has line 1 and the city.
        address: stop.address.one_line(),
        contact: [
            contact_name(stop),
            phone.map(ToString::to_string).unwrap_or_default(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · "),
        state: task.state.as_str().to_string(),
        driver: task
            .driver
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default(),
        eta: task.eta.as_deref().map(when).unwrap_or_default(),
        completed: task.completed_at.as_deref().map(when).unwrap_or_default(),
        failure: task.failure_reason.clone().unwrap_or_default(),
        window: window(&stop.window),
        requirements: requirements(&stop.requirements),
    }
}

/// The order's page, its form's times in `zone`; `change` is the edit (or resubmit) form as
/// sent (with its errors) when it was refused.
pub(super) fn order_view(
    principal: &Principal,
    order: &Order,
    zone: Tz,
    change: Option<EditForm>,
) -> impl Template {
    let proof = order.dropoff.proof.as_ref().map(|proof| ProofView {
        signature: proof.signature.clone().unwrap_or_default(),
        photos: proof
            .photos
            .iter()
            .filter(|p| p.starts_with("https://") || p.starts_with("http://"))
            .cloned()
            .collect(),
        notes: proof.notes.clone().unwrap_or_default(),
    });
    let rejected = order.status == OrderStatus::Rejected;
    OrderPage {
        client_name: principal.client_name.clone().unwrap_or_default(),
        logo_url: principal.logo_url.clone(),
        row: row(order),
        tasks: vec![task_view(&order.pickup), task_view(&order.dropoff)],
        timeline: order
            .timeline
            .iter()
            .map(|e| {
                let detail = e.detail.clone().unwrap_or_default();
                (when(&e.at), e.what.clone(), detail)
            })
            .collect(),
        proof,
        rejection: order.rejection.as_ref().map(|r| r.reason.clone()),
        tracking_url: order.tracking_url.clone(),
        notes: order.notes.clone().unwrap_or_default(),
        draft_reasons: order
            .draft_reasons
            .iter()
            .map(|r| super::drafts_pages::reason_text(r))
            .collect(),
        can_finalize: allows(order, Event::Finalize),
        can_withdraw: allows(order, Event::Withdraw),
        change: match change {
            Some(form) => Some(form),
            // A rejected order is edited to be resubmitted ("Save and resubmit").
            None if allows(order, Event::Edit) => Some(EditForm::of(order, zone, rejected)),
            None => None,
        },
    }
}

/// Whether the order's status lets the client do `event` (the status machine decides).
fn allows(order: &Order, event: Event) -> bool {
    transition(order.state(), event).is_ok()
}
