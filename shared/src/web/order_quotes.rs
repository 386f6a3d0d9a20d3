//! The order form's service choice: the client's services, each with its quote once asked
//! for (the quote use case of `POST /v1/quotes`), else as the client's services use case of
//! `GET /v1/services` lists them.

use chrono_tz::Tz;

use super::format::{local, money};
use super::order_errors::{refusal, Refusal};
use crate::domain::api_key::Principal;
use crate::domain::pricing::QuotedService;
use crate::error::ApiError;
use crate::ordering::{own_services, quote_services, QuoteOrder};
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

/// The client's services: from the quote use case when `quote` is an order to quote (each
/// with its price and completion time, or why not), else from its services use case; and,
/// when the quote was refused, why.
pub async fn services(
    ctx: &Ctx,
    principal: &Principal,
    quote: Option<QuoteOrder>,
    zone: Tz,
) -> Result<(Vec<ServiceChoice>, bool, Option<Refusal>), ApiError> {
    if !principal.has_services {
        return Ok((vec![], false, None));
    }
    let mut refused = None;
    if let Some(quote) = quote {
        match quote_services(ctx, quote).await {
            Ok(quoted) => {
                return Ok((quoted.iter().map(|q| choice(q, zone)).collect(), true, None));
            }
            Err(e) => refused = Some(refusal(e)?),
        }
    }
    let choices = own_services(ctx, principal)
        .await?
        .into_iter()
        .map(|s| ServiceChoice {
            id: s.id.as_str().to_string(),
            name: s.service.name.to_string(),
            price: String::new(),
            complete_by: String::new(),
            reasons: String::new(),
        })
        .collect();
    Ok((choices, false, refused))
}

/// One service's quote (of the quote use case, or of a refused order), its completion time
/// in `zone` (the zone the form's times are read in).
pub fn choice(q: &QuotedService, zone: Tz) -> ServiceChoice {
    ServiceChoice {
        id: q.service_id.as_str().to_string(),
        name: q.name.clone(),
        price: match (q.eligible, q.price) {
            (true, Some(minor)) => money(minor, q.currency.code()),
            _ => String::new(),
        },
        complete_by: q
            .complete_by
            .as_deref()
            .map(|t| local(t, zone))
            .unwrap_or_default(),
        reasons: q
            .reasons
            .iter()
            .map(|r| r.as_str().replace('_', " "))
            .collect::<Vec<_>>()
            .join(", "),
    }
}
