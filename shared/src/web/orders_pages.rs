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
use super::{html, not_found, signed_in, Brand, Live};
use crate::domain::address::Address;
use crate::domain::api_key::{Principal, Role};
use crate::domain::created_days::CreatedDays;
use crate::domain::ids::ClientId;
use crate::domain::order::{self, Order, Requirements, Stop, Task, Window};
use crate::domain::order_machine::{transition, Event, OrderStatus, TaskEvent};
use crate::domain::search::SearchQuery;
use crate::domain::timezone::Timezone;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::read::client_names;
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
    /// The order's client (a courier's table has a Client column).
    pub client: String,
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

/// A client of the courier's client filter.
pub struct ClientChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "web/orders.html")]
pub struct OrdersPage {
    client_name: Brand,
    /// The reader is a courier's person: every client's orders, a Client column and filter,
    /// no client-only actions.
    courier: bool,
    rows: Vec<Row>,
    /// The courier's name (for a client, its courier): a client's table's "Courier" column.
    courier_name: String,
    q: String,
    statuses: Vec<StatusChoice>,
    /// The courier's clients, for its client filter (empty for a client).
    clients: Vec<ClientChoice>,
    /// The client filter as sent (a client id).
    client: String,
    client_error: Option<String>,
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
    /// The **Export CSV** link: the same filters (a search's words are not exported).
    export_href: String,
    next: Option<String>,
    pub(super) error: Option<String>,
}

/// The filters of `/orders` (and of its export), as sent.
struct Filters {
    q: String,
    from: String,
    to: String,
    client: String,
    /// Check boxes send `status` once per box; a link may also join them with commas.
    statuses: Vec<String>,
}

impl Filters {
    fn of(req: &ApiRequest) -> Self {
        let param = |name: &str| req.query_param(name).unwrap_or("").trim().to_string();
        Filters {
            q: param("q"),
            from: param("from"),
            to: param("to"),
            client: param("client"),
            statuses: req
                .query
                .iter()
                .filter(|(k, _)| k == "status")
                .flat_map(|(_, v)| v.split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }
}

pub async fn orders_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let (mut page, filter) = orders_view(ctx, &principal, &req).await?;
    // New and changed orders appear without a reload (a courier hears its clients' too).
    page.client_name.live = Live::page(
        ctx,
        &req,
        "order.created order.changed",
        "The orders list was updated.",
    );
    let Some(mut filter) = filter else {
        return Ok(html(200, &page));
    };
    let cursor = req.query_param("cursor").unwrap_or("").trim().to_string();
    filter.cursor = (!cursor.is_empty()).then_some(cursor);
    let zone = filter.created.zone.tz();
    let listed = match list_orders(ctx, &principal, &filter).await {
        Ok(listed) => listed,
        Err(e @ OrderError::InvalidCursor) => {
            // A cursor that is not this list's (edited by hand, or of another search).
            page.error = Some(format!("This page of results cannot be shown: {e}"));
            return Ok(html(200, &page));
        }
        Err(e) => {
            page.refused(e)?;
            return Ok(html(200, &page));
        }
    };
    page.rows = listed.orders.iter().map(|o| row(o, zone)).collect();
    page.next = listed.next_cursor.map(|next| {
        link(
            "/orders",
            &page.q,
            &filter.statuses,
            &page.client,
            &page.from,
            &page.to,
            Some(&next),
        )
    });
    Ok(html(200, &page))
}

impl OrdersPage {
    /// Puts a list's (or an export's) refusal next to its filter, or above the table.
    pub(super) fn refused(&mut self, e: OrderError) -> Result<(), OrderError> {
        let refused = refusal(e)?;
        match refused.field {
            Some(OrderField::CreatedFrom) => {
                self.from_error = Some("must not be after the last day.".into())
            }
            Some(OrderField::CreatedTo) => self.to_error = Some(refused.message),
            Some(OrderField::ClientId) => self.client_error = Some(refused.message),
            _ => self.error = Some(refused.message),
        }
        Ok(())
    }
}

/// The orders page for `req`'s filters, without rows yet, and the list's filter when every
/// filter could be read (else the page says what is wrong next to it).
pub(super) async fn orders_view(
    ctx: &Ctx,
    principal: &Principal,
    req: &ApiRequest,
) -> Result<(OrdersPage, Option<OrderFilter>), ApiError> {
    let Filters {
        q,
        from,
        to,
        client,
        statuses: raw_statuses,
    } = Filters::of(req);
    let courier = principal.role == Role::Courier;
    // The reader and (a courier's) clients, read side by side.
    let (reader, clients) = futures::join!(reader(ctx, principal), client_names(ctx, principal));
    let (courier_name, zone) = reader?;
    let clients = clients?;
    let client = if courier { client } else { String::new() };
    let checked: Vec<OrderStatus> = raw_statuses
        .iter()
        .filter_map(|s| OrderStatus::parse(s))
        .collect();
    let mut page = OrdersPage {
        client_name: brand(courier_name.clone(), principal),
        courier,
        rows: vec![],
        courier_name,
        statuses: STATUSES
            .iter()
            .map(|(value, label)| StatusChoice {
                value,
                label,
                checked: raw_statuses.iter().any(|s| s == value),
            })
            .collect(),
        clients: clients
            .iter()
            .map(|c| ClientChoice {
                id: c.id.to_string(),
                name: c.name.clone(),
                selected: c.id.as_str() == client,
            })
            .collect(),
        client_error: None,
        active: checked.len() == ACTIVE.len() && ACTIVE.iter().all(|s| checked.contains(s)),
        filtered: !(q.is_empty()
            && raw_statuses.is_empty()
            && from.is_empty()
            && to.is_empty()
            && client.is_empty()),
        active_href: link("/orders", &q, &ACTIVE, &client, &from, &to, None),
        export_href: link(
            "/orders/export.csv",
            "",
            &checked,
            &client,
            &from,
            &to,
            None,
        ),
        q,
        client,
        from,
        to,
        from_error: None,
        to_error: None,
        next: None,
        error: None,
    };
    if checked.len() != raw_statuses.len() {
        page.error = Some("Choose statuses from the list.".into());
        return Ok((page, None));
    }
    let client_id = match page.client.as_str() {
        "" => None,
        raw => match ClientId::parse(raw) {
            Ok(id) => Some(id),
            Err(_) => {
                page.client_error = Some("is not one of your clients.".into());
                return Ok((page, None));
            }
        },
    };
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
        return Ok((page, None));
    };
    let search = match SearchQuery::parse(Some(&page.q)) {
        Ok(search) => search,
        Err(e) => {
            page.error = Some(format!("The search {e}."));
            return Ok((page, None));
        }
    };
    let filter = OrderFilter {
        search,
        client: client_id,
        statuses: checked,
        // The days are the reader's: an order placed at 23:30 local time is on that day.
        created: CreatedDays {
            from: from_day,
            to: to_day,
            zone,
        },
        limit: PAGE_SIZE,
        cursor: None,
    };
    Ok((page, Some(filter)))
}

/// The header's organisation: a courier's person reads its courier's name; a client's, its own.
fn brand(courier_name: String, principal: &Principal) -> Brand {
    match principal.role {
        Role::Courier => Brand::named(courier_name, principal),
        Role::Client => Brand::of(principal),
    }
}

/// The address of `path` (the orders page, its export) for these filters (and a page's cursor).
fn link(
    path: &str,
    q: &str,
    statuses: &[OrderStatus],
    client: &str,
    from: &str,
    to: &str,
    cursor: Option<&str>,
) -> String {
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
    for (name, value) in [("client", client), ("from", from), ("to", to)] {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    match query.finish() {
        query if query.is_empty() => path.to_string(),
        query => format!("{path}?{query}"),
    }
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
        client: order.client_name.clone(),
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
    /// `tsk_<ulid>_pickup|dropoff`: what the progress forms post to.
    pub id: String,
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
    /// A courier's **Record progress** forms for the task; `None` for a client.
    pub progress: Option<Progress>,
}

/// The events a courier's person may record on a task now (the status machine says), the
/// form sent back with its errors, and a refused transition in words.
#[derive(Default)]
pub struct Progress {
    pub assign: bool,
    pub start: bool,
    pub eta: bool,
    pub arrive: bool,
    pub complete: bool,
    pub fail: bool,
    /// A refused event, in words, above the forms.
    pub alert: Option<String>,
    pub values: ProgressValues,
    pub errors: ProgressErrors,
}

impl Progress {
    pub fn any(&self) -> bool {
        self.assign || self.start || self.eta || self.arrive || self.complete || self.fail
    }
}

/// What a progress form holds (as typed, when sent back).
#[derive(Default, Clone)]
pub struct ProgressValues {
    pub driver_name: String,
    pub driver_phone: String,
    pub team_id: String,
    pub eta: String,
    pub notes: String,
    pub photo_urls: String,
    pub signed_by: String,
    pub reason: String,
}

/// A progress form's errors, each next to its field.
#[derive(Default)]
pub struct ProgressErrors {
    pub driver_name: Option<String>,
    pub driver_phone: Option<String>,
    pub team_id: Option<String>,
    pub eta: Option<String>,
    pub notes: Option<String>,
    pub photo_urls: Option<String>,
    pub signed_by: Option<String>,
    pub reason: Option<String>,
}

impl ProgressErrors {
    pub fn any(&self) -> bool {
        [
            &self.driver_name,
            &self.driver_phone,
            &self.team_id,
            &self.eta,
            &self.notes,
            &self.photo_urls,
            &self.signed_by,
            &self.reason,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

/// A team of the assignment's drop-down.
pub struct TeamChoice {
    pub id: String,
    pub name: String,
}

/// The courier's **Reject order** step: the reason asked for (`confirm`), with its error.
#[derive(Default)]
pub struct RejectForm {
    pub confirm: bool,
    pub reason: String,
    pub error: Option<String>,
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
pub struct OrderPage {
    pub(super) client_name: Brand,
    /// The reader is a courier's person: the client's name, Reject and Record progress; no
    /// client-only action.
    pub(super) courier: bool,
    pub(super) row: Row,
    pub(super) tasks: Vec<TaskView>,
    timeline: Vec<(String, String, String)>,
    proof: Option<ProofView>,
    /// The recipient's rating: stars, comment, when (in the reader's zone).
    rating: Option<(u8, String, String)>,
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
    /// Said after a change (a rejection, a recorded event).
    pub(super) notice: Option<String>,
    /// A refusal about the whole order, above everything.
    pub(super) alert: Option<String>,
    /// The courier's **Reject order**, while the order can be rejected.
    pub(super) reject: Option<RejectForm>,
    /// The courier's teams, for an assignment.
    pub(super) teams: Vec<TeamChoice>,
    /// The reader's time zone's name (the ETA's input is in it).
    pub(super) zone: String,
    /// "Ask about this order": the conversation's form, about this order.
    ask_link: String,
}

pub async fn order_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?;
    let Some(mut page) = courier_or_client_view(ctx, &principal, order_id).await? else {
        return Ok(not_found(true));
    };
    if req.query_param("reject") == Some("1") {
        if let Some(reject) = page.reject.as_mut() {
            reject.confirm = true;
        }
    }
    page.notice = req.query_param("done").and_then(done_notice);
    // The page follows this order's changes (a driver's progress, the other side's edits).
    page.client_name.live =
        Live::page(ctx, &req, "order.changed", "This order was updated.").map(|live| Live {
            order: page.row.id.clone(),
            ..live
        });
    Ok(html(200, &page))
}

/// What the page says after a change: `rejected`, or a task's event (`pickup_assigned`…).
fn done_notice(done: &str) -> Option<String> {
    match done {
        "rejected" => Some("Order rejected. Your client is told by email.".into()),
        other => words::timeline_known(other)
            .filter(|_| other.starts_with("pickup_") || other.starts_with("dropoff_"))
            .map(|what| format!("{what}.")),
    }
}

/// The order's page for whoever reads it: a client's as it was, a courier's with the
/// client's name, Reject and Record progress; `None` when the reader has no such order.
pub(super) async fn courier_or_client_view(
    ctx: &Ctx,
    principal: &Principal,
    order_id: &str,
) -> Result<Option<OrderPage>, ApiError> {
    let courier = principal.role == Role::Courier;
    // The order, the reader's time zone and (a courier's) teams, read side by side.
    let (order, reader, teams) = futures::join!(
        read_order(ctx, principal, order_id),
        reader(ctx, principal),
        async {
            if courier {
                crate::teams::list_teams(ctx, principal, 100, None)
                    .await
                    .map(|page| page.teams)
            } else {
                Ok(vec![])
            }
        }
    );
    let Some(order) = order? else {
        return Ok(None);
    };
    let (courier_name, zone) = reader?;
    let mut page = order_view(principal, &order, zone, None);
    if courier {
        page.client_name = Brand::named(courier_name, principal);
        page.teams = teams?
            .into_iter()
            .map(|t| TeamChoice {
                id: t.id.to_string(),
                name: t.name.to_string(),
            })
            .collect();
    }
    Ok(Some(page))
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

fn task_view(order: &Order, task: &Task, zone: Tz, courier: bool) -> TaskView {
    let stop = &task.stop;
    let can = |event: TaskEvent| transition(order.state(), Event::Task(task.kind, event)).is_ok();
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
        id: order::task_id(&order.id, task.kind),
        progress: courier.then(|| Progress {
            assign: can(TaskEvent::Assigned),
            start: can(TaskEvent::Started),
            eta: can(TaskEvent::Eta),
            arrive: can(TaskEvent::Arrived),
            complete: can(TaskEvent::Completed),
            fail: can(TaskEvent::Failed),
            alert: None,
            values: ProgressValues {
                driver_name: task
                    .driver
                    .as_ref()
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                driver_phone: task
                    .driver
                    .as_ref()
                    .and_then(|d| d.phone.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                team_id: task.team_id.clone().unwrap_or_default(),
                ..Default::default()
            },
            errors: ProgressErrors::default(),
        }),
    }
}

/// The order's page, its times (and its form's) in `zone`, the reader's ([`reader`]);
/// `change` is the edit (or resubmit) form as sent (with its errors) when it was refused.
pub(super) fn order_view(
    principal: &Principal,
    order: &Order,
    zone: Timezone,
    change: Option<EditForm>,
) -> OrderPage {
    let courier = principal.role == Role::Courier;
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
        client_name: Brand::of(principal),
        courier,
        row: row(order, zone),
        tasks: vec![
            task_view(order, &order.pickup, zone, courier),
            task_view(order, &order.dropoff, zone, courier),
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
        rating: order.rating.as_ref().map(|r| {
            (
                r.stars,
                r.comment.clone().unwrap_or_default(),
                local(&r.at, zone),
            )
        }),
        // A resubmitted order keeps its last rejection in the timeline only.
        rejection: order
            .rejection
            .as_ref()
            .filter(|_| rejected)
            .map(|r| r.reason.clone()),
        tracking_url: order.tracking_url.clone(),
        notes: order.notes.clone().unwrap_or_default(),
        draft_reasons: order
            .draft_reasons
            .iter()
            .map(|r| super::drafts_pages::reason_text(r))
            .collect(),
        // A courier's person never sees the client's actions (submit, withdraw, edit).
        can_finalize: !courier && allows(order, Event::Finalize),
        can_withdraw: !courier && allows(order, Event::Withdraw),
        change: match change {
            _ if courier => None,
            Some(form) => Some(form),
            // A rejected order is edited to be resubmitted ("Save and resubmit").
            None if allows(order, Event::Edit) => Some(EditForm::of(order, zone, rejected)),
            None => None,
        },
        notice: None,
        alert: None,
        reject: (courier && allows(order, Event::Reject)).then(RejectForm::default),
        teams: vec![],
        zone: zone.name().to_string(),
        ask_link: match courier {
            true => format!(
                "/messages/{}?orderId={}#message-form",
                order.client_id, order.id
            ),
            false => format!("/messages?orderId={}#message-form", order.id),
        },
    }
}

/// Whether the order's status lets the client do `event` (the status machine decides).
fn allows(order: &Order, event: Event) -> bool {
    transition(order.state(), event).is_ok()
}
