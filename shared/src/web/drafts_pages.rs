//! `GET /drafts` (the client's drafts: short id, recipient, reasons, age, with checkboxes),
//! `POST /drafts` ("Submit for delivery" of the checked drafts, onto the bulk-submit use case
//! of `POST /v1/orders/submit`; each order's result shown) and `POST /orders/{orderId}/finalize`
//! (one draft from its order page, onto `finalize_order`).

use askama::Template;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{as_api, form, html, not_found, redirect, signed_in, signed_in_post, MessagePage};
use crate::api::bulk_submit::{submit_orders, MAX_ORDERS};
use crate::api::order_actions::finalize_order;
use crate::api::orders::list_orders;
use crate::domain::api_key::Principal;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
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
    client_name: String,
    logo_url: Option<String>,
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
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let cursor = req.query_param("cursor").unwrap_or("").to_string();
    let page = drafts(ctx, &req, &principal, &cursor, vec![], None).await?;
    Ok(html(200, &page))
}

pub async fn submit_drafts_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
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
        let page = drafts(ctx, &req, &principal, "", vec![], Some(alert)).await?;
        return Ok(html(422, &page));
    }
    let mut api = as_api(principal.clone(), &req);
    api.method = "POST".into();
    let ids: Vec<&str> = checked.iter().map(|(id, _)| id.as_str()).collect();
    api.body = json!({ "orderIds": ids }).to_string().into();
    let answer: Value = match submit_orders(ctx, api).await {
        Ok(response) => serde_json::from_slice(&response.body).unwrap_or_default(),
        Err(ApiError::Invalid { message, .. }) => {
            let page = drafts(ctx, &req, &principal, "", vec![], Some(message)).await?;
            return Ok(html(422, &page));
        }
        Err(e) => return Err(e),
    };
    let outcomes = answer["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let id = r["orderId"].as_str().unwrap_or("").to_string();
            let short_id = checked
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| id.clone());
            let status = r["status"].as_str().unwrap_or("");
            let reasons: Vec<&str> = r["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            Outcome {
                placed: status != "error",
                text: if status == "error" {
                    format!("Not submitted: {}", reasons.join("; "))
                } else {
                    format!("Submitted ({})", status.replace('_', " "))
                },
                id,
                short_id,
            }
        })
        .collect();
    let page = drafts(ctx, &req, &principal, "", outcomes, None).await?;
    Ok(html(200, &page))
}

/// The drafts page: the client's drafts, newest first, 100 at a time.
async fn drafts(
    ctx: &Ctx,
    req: &ApiRequest,
    principal: &Principal,
    cursor: &str,
    outcomes: Vec<Outcome>,
    alert: Option<String>,
) -> Result<DraftsPage, ApiError> {
    let mut api = as_api(principal.clone(), req);
    api.query.push(("status".into(), "draft".into()));
    api.query.push(("limit".into(), "100".into()));
    if !cursor.is_empty() {
        api.query.push(("cursor".into(), cursor.to_string()));
    }
    let mut page = DraftsPage {
        client_name: principal.client_name.clone().unwrap_or_default(),
        logo_url: principal.logo_url.clone(),
        rows: vec![],
        next: None,
        outcomes,
        alert,
    };
    let body: Value = match list_orders(ctx, api).await {
        Ok(response) => serde_json::from_slice(&response.body).unwrap_or_default(),
        Err(ApiError::Malformed { message, .. }) => {
            page.alert = Some(message);
            return Ok(page);
        }
        Err(e) => return Err(e),
    };
    let now = ctx.now();
    page.rows = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| draft_row(o, now))
        .collect();
    page.next = body["nextCursor"].as_str().map(str::to_string);
    Ok(page)
}

fn draft_row(order: &Value, now: DateTime<Utc>) -> DraftRow {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let address = ["line1", "city"]
        .iter()
        .filter_map(|k| order["dropoff"]["address"][*k].as_str())
        .collect::<Vec<_>>()
        .join(", ");
    DraftRow {
        id: text(&order["id"]),
        short_id: text(&order["shortId"]),
        recipient: text(&order["dropoff"]["contact"]["name"]),
        address,
        reasons: order["draftReasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(reason_text)
            .collect(),
        age: age(order["createdAt"].as_str().unwrap_or(""), now),
    }
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
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let mut api = as_api(principal, &req);
    api.method = "POST".into();
    api.path_params.insert("orderId".into(), order_id.clone());
    match finalize_order(ctx, api).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(ApiError::NotFound(_) | ApiError::Invalid { .. }) => Ok(not_found(true)),
        Err(e @ (ApiError::Conflict { .. } | ApiError::Unquotable { .. })) => Ok(html(
            422,
            &MessagePage {
                title: "The draft was not submitted",
                message: &e.to_string(),
                signed_in: true,
            },
        )),
        Err(e) => Err(e),
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
