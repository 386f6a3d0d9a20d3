//! `GET /orders` (the table, filters, search, pages) and `GET /orders/{orderId}` (the
//! order with its timeline, tasks, proof and rejection): thin adapters onto the use cases
//! `ordering::list_orders` and `ordering::find_order`, as the JSON API is, so tenant rules
//! are written once (another client's order answers 404 there, and here).

use askama::Template;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

use super::format::{local, local_at, money};
use super::order_errors::refusal;
use super::order_form::EditForm;
use super::reader::reader;
use super::words;
use super::{html, not_found, signed_in};
use crate::domain::address::Address;
use crate::domain::api_key::Principal;
use crate::domain::created_days::CreatedDays;
use crate::domain::order::{Order, Requirements, Stop, Task, Window};
use crate::domain::order_machine::{transition, Event, OrderStatus};
use crate::domain::search::SearchQuery;
use crate::domain::timezone::Timezone;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::{find_order, list_orders, OrderError, OrderField, OrderFilter};
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

/// The **Active** preset: orders the courier has not finished with.
const ACTIVE: [OrderStatus; 3] = [
    OrderStatus::Placed,
    OrderStatus::Scheduled,
    OrderStatus::InProgress,
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
    /// The dropoff's ETA, in the reader's time zone; empty when there is none.
    pub eta: String,
    pub service: String,
    pub price: String,
}

/// A status check box of the filter.
pub struct StatusChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "web/orders.html")]
struct OrdersPage {
    client_name: super::Brand,
    rows: Vec<Row>,
    /// The courier's name (for a client, its courier): the table's "Courier" column.
    courier: String,
    q: String,
    statuses: Vec<StatusChoice>,
    from: String,
    to: String,
    /// What is wrong with a date of the range, next to its input.
    from_error: Option<String>,
    to_error: Option<String>,
    /// The statuses checked are exactly the **Active** preset's.
    active: bool,
    /// Whether any filter is set (an empty table then says "No order matches").
    filtered: bool,
    /// The **Active** preset's link, with the search and dates kept.
    active_href: String,
    next: Option<String>,
    error: Option<String>,
}

pub async fn orders_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let param = |name: &str| req.query_param(name).unwrap_or("").trim().to_string();
    let (q, from, to) = (param("q"), param("from"), param("to"));
    // Check boxes send `status` once per box; a link may also join them with commas.
    let raw_statuses: Vec<String> = req
        .query
        .iter()
        .filter(|(k, _)| k == "status")
        .flat_map(|(_, v)| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let (courier, zone) = reader(ctx, &principal).await?;
    let checked: Vec<OrderStatus> = raw_statuses
        .iter()
        .filter_map(|s| OrderStatus::parse(s))
        .collect();
    let mut page = OrdersPage {
        client_name: super::Brand::reading(&courier, &principal),
        rows: vec![],
        courier,
        statuses: STATUSES
            .iter()
            .map(|(value, label)| StatusChoice {
                value,
                label,
                checked: raw_statuses.iter().any(|s| s == value),
            })
            .collect(),
        active: checked.len() == ACTIVE.len() && ACTIVE.iter().all(|s| checked.contains(s)),
        filtered: !(q.is_empty() && raw_statuses.is_empty() && from.is_empty() && to.is_empty()),
        active_href: link(&q, &ACTIVE, &from, &to, None),
        q,
        from,
        to,
        from_error: None,
        to_error: None,
        next: None,
        error: None,
    };
    if checked.len() != raw_statuses.len() {
        page.error = Some("Choose statuses from the list.".into());
        return Ok(html(200, &page));
    }
    let day = |raw: &str| match raw {
        "" => Ok(None),
        raw => CreatedDays::parse_day(raw)
            .map(Some)
            .ok_or_else(|| "must be a date (YYYY-MM-DD).".to_string()),
    };
    let (from_day, to_day) = (day(&page.from), day(&page.to));
    page.from_error = from_day.clone().err();
    page.to_error = to_day.clone().err();
    let (Ok(from_day), Ok(to_day)) = (from_day, to_day) else {
        return Ok(html(200, &page));
    };
    let search = match SearchQuery::parse(Some(&page.q)) {
        Ok(search) => search,
        Err(e) => {
            page.error = Some(format!("The search {e}."));
            return Ok(html(200, &page));
        }
    };
    let cursor = param("cursor");
    let filter = OrderFilter {
        search,
        client: None,
        statuses: checked.clone(),
        // The days are the reader's: an order placed at 23:30 local time is on that day.
        created: CreatedDays {
            from: from_day,
            to: to_day,
            zone,
        },
        limit: PAGE_SIZE,
        cursor: (!cursor.is_empty()).then_some(cursor),
    };
    let listed = match list_orders(ctx, &principal, &filter).await {
        Ok(listed) => listed,
        Err(e @ OrderError::InvalidCursor) => {
            // A cursor that is not this list's (edited by hand, or of another search).
            page.error = Some(format!("This page of results cannot be shown: {e}"));
            return Ok(html(200, &page));
        }
        Err(e) => {
            let refused = refusal(e)?;
            match refused.field {
                Some(OrderField::CreatedFrom) => {
                    page.from_error = Some("must not be after the last day.".into())
                }
                Some(OrderField::CreatedTo) => page.to_error = Some(refused.message),
                _ => page.error = Some(refused.message),
            }
            return Ok(html(200, &page));
        }
    };
    page.rows = listed.orders.iter().map(|o| row(o, zone.tz())).collect();
    page.next = listed
        .next_cursor
        .map(|next| link(&page.q, &checked, &page.from, &page.to, Some(&next)));
    Ok(html(200, &page))
}

/// The orders page's address for these filters (and a page's cursor).
fn link(q: &str, statuses: &[OrderStatus], from: &str, to: &str, cursor: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(cursor) = cursor {
        query.append_pair("cursor", cursor);
    }
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    for status in statuses {
        query.append_pair("status", status.as_str());
    }
    for (name, value) in [("from", from), ("to", to)] {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    format!("/orders?{}", query.finish())
}

/// Orders a page shows.
const PAGE_SIZE: u32 = 50;

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

fn row(order: &Order, zone: Tz) -> Row {
    let status = order.status.as_str();
    let quote = order.quote.as_ref();
    Row {
        id: order.id.clone(),
        short_id: order.short_id.clone(),
        recipient: contact_name(&order.dropoff.stop),
        address: one_line(&order.dropoff.stop.address),
        status_text: status_text(status),
        status: status.to_string(),
        created: local(&order.created_at, zone),
        updated: local(&order.updated_at, zone),
        eta: order
            .dropoff
            .eta
            .as_deref()
            .map(|eta| local(eta, zone))
            .unwrap_or_default(),
        service: quote.map(|q| q.service_name.clone()).unwrap_or_default(),
        price: quote
            .map(|q| money(q.price, q.currency.code()))
            .unwrap_or_default(),
    }
}

pub struct TaskView {
    pub kind: &'static str,
    /// "Pickup" or "Dropoff".
    pub title: &'static str,
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

/// A task's time window, in the reader's time zone.
fn window(w: &Window, zone: Tz) -> String {
    let at = |t: &Option<DateTime<FixedOffset>>| t.map(|t| local_at(t, zone)).unwrap_or_default();
    match (at(&w.complete_after), at(&w.complete_before)) {
        (after, before) if after.is_empty() && before.is_empty() => String::new(),
        (after, before) if before.is_empty() => format!("after {after}"),
        (after, before) if after.is_empty() => format!("before {before}"),
        (after, before) => match (after.split_once(", "), before.split_once(", ")) {
            // Same day: "7 Dec 2026, 09:00 – 12:00".
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
    client_name: super::Brand,
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
    let order_id = req.path_param("orderId")?;
    // The order and the reader's time zone, read side by side.
    let (order, reader) = futures::join!(
        read_order(ctx, &principal, order_id),
        reader(ctx, &principal)
    );
    let Some(order) = order? else {
        return Ok(not_found(true));
    };
    let (_, zone) = reader?;
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

fn task_view(task: &Task, zone: Tz) -> TaskView {
    let stop = &task.stop;
    let phone = stop.contact.as_ref().and_then(|c| c.phone.as_ref());
    TaskView {
        kind: task.kind.as_str(),
        title: words::task_kind(task.kind).0,
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
        state: words::task_state(task.state).to_string(),
        driver: task
            .driver
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default(),
        eta: task
            .eta
            .as_deref()
            .map(|t| local(t, zone))
            .unwrap_or_default(),
        completed: task
            .completed_at
            .as_deref()
            .map(|t| local(t, zone))
            .unwrap_or_default(),
        failure: task.failure_reason.clone().unwrap_or_default(),
        window: window(&stop.window, zone),
        requirements: requirements(&stop.requirements),
    }
}

/// The order's page, its times (and its form's) in `zone`, the reader's ([`reader`]);
/// `change` is the edit (or resubmit) form as sent (with its errors) when it was refused.
pub(super) fn order_view(
    principal: &Principal,
    order: &Order,
    zone: Timezone,
    change: Option<EditForm>,
) -> impl Template {
    let zone = zone.tz();
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
        client_name: super::Brand::of(&principal),
        row: row(order, zone),
        tasks: vec![
            task_view(&order.pickup, zone),
            task_view(&order.dropoff, zone),
        ],
        timeline: order
            .timeline
            .iter()
            .map(|e| {
                let detail = e.detail.clone().unwrap_or_default();
                (local(&e.at, zone), words::timeline(&e.what), detail)
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
