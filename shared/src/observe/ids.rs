//! The ids a log line carries, put on the current span (a request's or an event's) where
//! they become known: the caller after authorization, a webhook's integration, the order an
//! event handler works on.

use crate::domain::api_key::Principal;

/// Puts the caller's ids on the current request's lines (a page's session, resolved inside
/// the use case; an API key's principal is recorded before it starts).
pub fn record_principal(principal: &Principal) {
    record_on(&tracing::Span::current(), principal);
}

/// Puts an order's ids on the current span's lines (an event handler's, record by record).
pub fn record_order(order: &crate::domain::order::Order) {
    let span = tracing::Span::current();
    span.record("order_id", order.id.as_str());
    record_ids(order.courier_id.as_str(), Some(order.client_id.as_str()));
}

/// Puts a courier's (and client's) ids on the current request's lines, where a public route
/// learns them (a webhook, from its integration).
pub fn record_ids(courier_id: &str, client_id: Option<&str>) {
    let span = tracing::Span::current();
    span.record("courier_id", courier_id);
    if let Some(client_id) = client_id {
        span.record("client_id", client_id);
    }
}

pub(crate) fn record_on(span: &tracing::Span, principal: &Principal) {
    span.record("courier_id", principal.courier_id.as_str());
    if let Some(client) = &principal.client_id {
        span.record("client_id", client.as_str());
    }
}
