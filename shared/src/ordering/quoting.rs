//! Quoting an order against its client's services (creation, edits of drafts, finalising).

use chrono::{DateTime, Utc};

use super::error::{OrderError, OrderField};
use crate::domain::client::ServiceSelection;
use crate::domain::ids::ServiceId;
use crate::domain::order::{Source, Stop};
use crate::domain::pricing::geo::Point;
use crate::domain::pricing::quote::Reason;
use crate::domain::pricing::{
    quote_order, PricingContext, QuotedService, Quoting, QuotingError, Shipment, StopFacts, Weight,
};

/// What the area check and the distance read of a stop.
pub fn stop_facts(stop: &Stop) -> StopFacts {
    StopFacts {
        postal_code: stop
            .address
            .postal_code
            .as_ref()
            .map(|c| c.as_str().to_string()),
        point: match (stop.address.lat, stop.address.lng) {
            (Some(lat), Some(lng)) => Some(Point {
                lat: lat.into(),
                lng: lng.into(),
            }),
            _ => None,
        },
    }
}

/// An order as quoting sees it: ready from the pickup window's start (or now), due by the
/// dropoff window's end. An integration's order carries only the shop's dropoff window (its
/// pickup is the client's depot, with no window): its ready-by comes from the dropoff task
/// too, as the product documents say ("Ready By and Due By are derived from the dropoff
/// task").
pub fn shipment(
    source: Source,
    pickup: &Stop,
    dropoff: &Stop,
    weight: Option<Weight>,
    pieces: Option<u32>,
) -> Shipment {
    let ready_by = match (source, pickup.window.complete_after) {
        (Source::Integration, None) => dropoff.window.complete_after,
        (_, from_pickup) => from_pickup,
    };
    Shipment {
        ready_by,
        due_by: dropoff.window.complete_before,
        weight,
        pieces,
        pickup: stop_facts(pickup),
        dropoff: stop_facts(dropoff),
    }
}

/// The quote of an order, with the API's errors for a service that cannot be named.
pub fn quote(
    pricing: Option<&PricingContext>,
    rule: ServiceSelection,
    service_id: Option<&ServiceId>,
    shipment: &Shipment,
    now: DateTime<Utc>,
) -> Result<Quoting, OrderError> {
    quote_order(pricing, rule, service_id, shipment, now).map_err(|e| match e {
        QuotingError::NoServices => OrderError::invalid(
            OrderField::ServiceId,
            "the client has no services to choose from",
        ),
        QuotingError::NotClientService => {
            OrderError::invalid(OrderField::ServiceId, "is not one of the client's services")
        }
    })
}

/// 422 `not_quotable` with the reasons and each service's quote.
pub fn unquotable(
    service_id: Option<&ServiceId>,
    reasons: &[Reason],
    services: Vec<QuotedService>,
) -> OrderError {
    OrderError::Unquotable {
        service_named: service_id.is_some(),
        reasons: reason_codes(reasons),
        services,
    }
}

pub fn reason_codes(reasons: &[Reason]) -> Vec<String> {
    reasons.iter().map(|r| r.as_str().to_string()).collect()
}
