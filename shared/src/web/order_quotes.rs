//! The order form's service choice: the client's services, each with its quote once asked
//! for (the quote use case of `POST /v1/quotes`), else as `GET /v1/services` lists them.

use chrono_tz::Tz;
use serde_json::{json, Value};

use super::as_api;
use super::format::money;
use crate::api::quotes::create_quote;
use crate::api::services::list_services;
use crate::domain::api_key::Principal;
use crate::error::ApiError;
use crate::http::ApiRequest;
use crate::Ctx;

/// One of the client's services, with its quote once asked for.
pub struct ServiceChoice {
    pub id: String,
    pub name: String,
    pub price: String,
    pub complete_by: String,
    /// Why it cannot serve this order (empty: it can, or not quoted yet).
    pub reasons: String,
}

/// The client's services: from the quote use case when `body` is an order to quote (each
/// with its price and completion time, or why not), else from `GET /v1/services`.
pub async fn services(
    ctx: &Ctx,
    principal: &Principal,
    req: &ApiRequest,
    body: Option<&Value>,
    zone: Tz,
) -> Result<(Vec<ServiceChoice>, bool, Option<(String, String)>), ApiError> {
    if !principal.has_services {
        return Ok((vec![], false, None));
    }
    let mut refused = None;
    if let Some(body) = body {
        let mut quote = json!({ "pickup": body["pickup"], "dropoff": body["dropoff"] });
        for name in ["weight", "pieces"] {
            if let Some(v) = body.get(name) {
                quote[name] = v.clone();
            }
        }
        if let Some(due) = body["dropoff"]["window"].get("completeBefore") {
            quote["dueBy"] = due.clone();
        }
        let mut api = as_api(principal.clone(), req);
        api.method = "POST".into();
        api.body = quote.to_string().into();
        match create_quote(ctx, api).await {
            Ok(response) => {
                let answer: Value = serde_json::from_slice(&response.body).unwrap_or_default();
                let quoted = answer["services"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|q| choice(q, zone))
                    .collect();
                return Ok((quoted, true, None));
            }
            Err(ApiError::Invalid { field, message, .. }) => refused = Some((field, message)),
            Err(e @ ApiError::Malformed { .. }) => refused = Some((String::new(), e.to_string())),
            Err(e) => return Err(e),
        }
    }
    let response = list_services(ctx, as_api(principal.clone(), req)).await?;
    let listed: Value = serde_json::from_slice(&response.body).unwrap_or_default();
    let choices = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| ServiceChoice {
            id: s["id"].as_str().unwrap_or("").to_string(),
            name: s["name"].as_str().unwrap_or("").to_string(),
            price: String::new(),
            complete_by: String::new(),
            reasons: String::new(),
        })
        .collect();
    Ok((choices, false, refused))
}

/// One service of a quote answer (`POST /v1/quotes`, or a refused order's `services`), its
/// completion time in `zone` (the zone the form's times are read in).
pub fn choice(q: &Value, zone: Tz) -> ServiceChoice {
    let eligible = q["eligible"].as_bool().unwrap_or(false);
    ServiceChoice {
        id: q["serviceId"].as_str().unwrap_or("").to_string(),
        name: q["name"].as_str().unwrap_or("").to_string(),
        price: match (eligible, q["price"].as_u64(), q["currency"].as_str()) {
            (true, Some(minor), Some(currency)) => money(minor, currency),
            _ => String::new(),
        },
        complete_by: q["completeBy"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        reasons: q["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|r| r.replace('_', " "))
            .collect::<Vec<_>>()
            .join(", "),
    }
}
