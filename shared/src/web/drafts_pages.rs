//! `GET /drafts` (the client's drafts: short id, recipient, reasons, age, with checkboxes),
//! `POST /drafts` ("Submit for delivery" of the checked drafts, onto the use case
//! `ordering::submit_drafts`, as `POST /v1/orders/submit` is; each order's result shown) and
//! `POST /orders/{orderId}/finalize` (one draft from its order page, onto `ordering::finalize`).

use askama::Template;
use chrono::{DateTime, Utc};

use super::order_errors::refusal;
use super::{
    form, html, not_found, redirect, signed_in_client, signed_in_client_post, MessagePage,
};
use crate::domain::api_key::Principal;
use crate::domain::order::Order;
use crate::domain::order_machine::OrderStatus;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::submit::{submit_drafts, Drafts, MAX_ORDERS};
use crate::ordering::OrderError;
use crate::ordering::{finalize, list_orders, FinalizeOrder, OrderFilter};
use crate::Ctx;

pub struct DraftRow {
    pub id: String,
    pub short_id: String,
    pub recipient: String,
    pub address: String,
    pub reasons: Vec<String>,
    pub age: String,
}

/// One submitted order's outcome.
pub struct Outcome {
    pub id: String,
    pub short_id: String,
    pub placed: bool,
    pub text: String,
}

#[derive(Template)]
#[template(path = "web/drafts.html")]
struct DraftsPage {
    client_name: super::Brand,
    rows: Vec<DraftRow>,
    next: Option<String>,
    outcomes: Vec<Outcome>,
    alert: Option<String>,
}

impl DraftsPage {
    fn placed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.placed).count()
    }
}

pub async fn drafts_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let cursor = req.query_param("cursor").unwrap_or("").to_string();
    let page = drafts(ctx, &principal, &cursor, vec![], None).await?;
    Ok(html(200, &page))
}

pub async fn submit_drafts_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    // Each checkbox is `order=<id>:<short id>` (the short id only labels the result).
    let checked: Vec<(String, String)> = form(&req)
        .into_iter()
        .filter(|(k, _)| k == "order")
        .map(|(_, v)| match v.split_once(':') {
            Some((id, short)) => (id.to_string(), short.to_string()),
            None => (v.clone(), v),
        })
        .collect();
    if checked.is_empty() || checked.len() > MAX_ORDERS {
        let alert = format!("Select from 1 to {MAX_ORDERS} drafts to submit.");
        let page = drafts(ctx, &principal, "", vec![], Some(alert)).await?;
        return Ok(html(422, &page));
    }
    let ids = checked.iter().map(|(id, _)| id.clone()).collect();
    let submitted = match submit_drafts(ctx, &principal, Drafts::Orders(ids)).await {
        Ok(submitted) => submitted,
        Err(e @ OrderError::Field { .. }) => {
            let message = refusal(e)?.message;
            let page = drafts(ctx, &principal, "", vec![], Some(message)).await?;
            return Ok(html(422, &page));
        }
        Err(e) => return Err(e.into()),
    };
    let outcomes = submitted
        .into_iter()
        .map(|s| {
            let short_id = checked
                .iter()
                .find(|(i, _)| *i == s.order_id)
                .map(|(_, short)| short.clone())
                .unwrap_or_else(|| s.order_id.clone());
            let (placed, text) = match &s.outcome {
                Ok(order) => (true, format!("Submitted ({})", status_words(order.status))),
                Err(e) => (false, format!("Not submitted: {e}")),
            };
            Outcome {
                id: s.order_id,
                short_id,
                placed,
                text,
            }
        })
        .collect();
    let page = drafts(ctx, &principal, "", outcomes, None).await?;
    Ok(html(200, &page))
}

/// The drafts page: the client's drafts, newest first, 100 at a time.
async fn drafts(
    ctx: &Ctx,
    principal: &Principal,
    cursor: &str,
    outcomes: Vec<Outcome>,
    alert: Option<String>,
) -> Result<DraftsPage, ApiError> {
    let mut page = DraftsPage {
        client_name: super::Brand::of(&principal),
        rows: vec![],
        next: None,
        outcomes,
        alert,
    };
    let filter = OrderFilter {
        statuses: vec![OrderStatus::Draft],
        limit: 100,
        cursor: (!cursor.is_empty()).then(|| cursor.to_string()),
        ..OrderFilter::default()
    };
    let listed = match list_orders(ctx, principal, &filter).await {
        Ok(listed) => listed,
        Err(e @ OrderError::InvalidCursor) => {
            page.alert = Some(e.to_string());
            return Ok(page);
        }
        Err(e) => return Err(e.into()),
    };
    let now = ctx.now();
    page.rows = listed.orders.iter().map(|o| draft_row(o, now)).collect();
    page.next = listed.next_cursor;
    Ok(page)
}

fn draft_row(order: &Order, now: DateTime<Utc>) -> DraftRow {
    let dropoff = &order.dropoff.stop;
    let address = std::iter::once(dropoff.address.line1.as_str())
        .chain(dropoff.address.city.as_ref().map(|c| c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    DraftRow {
        id: order.id.clone(),
        short_id: order.short_id.clone(),
        recipient: dropoff
            .contact
            .as_ref()
            .map(|c| c.name.to_string())
            .unwrap_or_default(),
        address,
        reasons: order.draft_reasons.iter().map(|r| reason_text(r)).collect(),
        age: age(&order.created_at, now),
    }
}

/// A status after a submission, as people read it.
fn status_words(status: OrderStatus) -> String {
    status.as_str().replace('_', " ")
}

/// A draft reason code as people read it (`too_heavy` → "too heavy").
pub fn reason_text(code: &str) -> String {
    code.replace('_', " ")
}

/// How long ago `created` was: "5 min", "3 h", "2 days".
fn age(created: &str, now: DateTime<Utc>) -> String {
    let Ok(at) = DateTime::parse_from_rfc3339(created) else {
        return String::new();
    };
    let minutes = (now - at.with_timezone(&Utc)).num_minutes().max(0);
    match minutes {
        0..=59 => format!("{minutes} min"),
        60..=2879 => format!("{} h", minutes / 60),
        _ => format!("{} days", minutes / 1440),
    }
}

/// `POST /orders/{orderId}/finalize`: one draft submitted from its page.
pub async fn finalize_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let cmd = FinalizeOrder {
        by: principal,
        order_id: order_id.clone(),
    };
    match finalize(ctx, cmd).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(OrderError::NotFound | OrderError::Field { .. }) => Ok(not_found(true)),
        Err(e) => Ok(html(
            422,
            &MessagePage {
                title: "The draft was not submitted",
                message: &refusal(e)?.message,
                signed_in: true,
                brand: None,
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_minutes_hours_then_days() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(age("2026-12-06T11:55:00Z", now), "5 min");
        assert_eq!(age("2026-12-06T09:00:00Z", now), "3 h");
        assert_eq!(age("2026-12-03T12:00:00Z", now), "3 days");
        assert_eq!(age("garbage", now), "");
    }
}
