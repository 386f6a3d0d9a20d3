//! The JSON bodies of every write route of the API (`infra/openapi.yaml`'s operations with
//! an `application/json` request body; the webhook's body is `shop_mappers`'): the first
//! byte picks the operation, the rest is the body, read as its handler reads it
//! (`http::parse_json`, which answers 400, 413 or 422 naming the field) and checked as far
//! as the use case checks it without the store: a settings body's templates, a service or
//! rate table as a whole (and quoted), a patch merged into a stored one, an outbound
//! webhook's URL.
//!
//! `OPERATIONS` is checked against the OpenAPI document by `tests/tests/fuzzing.rs`.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use portal::api;
use portal::catalog::{Kind, RateTables, Services};
use portal::domain::position::PositionInput;
use portal::domain::pricing::geo::Point;
use portal::domain::pricing::rate_table::Measures;
use portal::domain::pricing::service::StopFacts;
use portal::domain::pricing::{quote, RateTableSpec, ServiceSpec, Shipment};
use portal::domain::tracking::TrackingPageSettings;
use portal::domain::webhook::{is_public, EndpointUrl};
use portal::error::ApiError;
use portal::http::parse_json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

#[global_allocator]
static ALLOCATOR: portal_fuzz::Capped = portal_fuzz::Capped;

/// Every operation whose body is JSON, in the order the first byte picks them.
const OPERATIONS: [&str; 28] = [
    "createClient",
    "updateClient",
    "acceptInvitation",
    "createApiKey",
    "createUser",
    "updateUser",
    "createOrder",
    "submitOrders",
    "updateOrder",
    "rejectOrder",
    "recordTaskEvent",
    "recordTaskLocation",
    "putNotificationSettings",
    "putTrackingPageSettings",
    "createService",
    "updateService",
    "postChatMessage",
    "createTeam",
    "updateTeam",
    "createRateTable",
    "updateRateTable",
    "putClientServices",
    "createQuote",
    "updateOrganizationSettings",
    "createIntegration",
    "updateIntegration",
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
];

const SERVICE: &str = r#"{"name": "Express", "sla": {"kind": "same_day", "hours": 2},
    "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "20:00"}}"#;
const RATE_TABLE: &str =
    r#"{"name": "Per km", "currency": "EUR", "base": {"method": "distance", "amount": 120}}"#;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_258_000, 0).unwrap()
}

/// An error a caller's body may get: the client's fault, with a JSON error body.
fn refused(e: ApiError) {
    let status = e.status();
    assert!(
        matches!(status, 400 | 413 | 422),
        "a body answered {status}: {e:?}"
    );
    let _ = e.to_response();
}

fn read<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    parse_json::<T>(body).map_err(refused).ok()
}

/// `json_or_empty`: an empty body reads as `{}`.
fn read_or_empty<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        read(b"{}")
    } else {
        read(body)
    }
}

/// Quotes an order across Paris with `service` and `rates`, at a few weights and times.
fn quote_with(service: &ServiceSpec, rates: &RateTableSpec) {
    let stop = |lat, lng, code: &str| StopFacts {
        postal_code: Some(code.into()),
        point: Some(Point { lat, lng }),
    };
    for hours in [0, 13, 24 * 6 + 23] {
        let shipment = Shipment {
            ready_by: Some((now() + chrono::Duration::hours(hours)).fixed_offset()),
            due_by: None,
            weight: None,
            pieces: Some(3),
            pickup: stop(48.8566, 2.3522, "75001"),
            dropoff: stop(48.8049, 2.1204, "78000"),
        };
        let _ = quote(service, rates, chrono_tz::Europe::Paris, &shipment, now());
    }
}

/// A merge patch of a stored item, as `api::catalog::update` applies it.
fn merged<K: Kind>(stored: &K::Spec, body: &[u8]) -> Option<K::Spec>
where
    K::Spec: Serialize,
{
    let mut patch: Map<String, Value> = read(body)?;
    patch.remove("version");
    for read_only in ["id", "clientCount", "createdAt", "updatedAt"] {
        if patch.contains_key(read_only) {
            return None;
        }
    }
    let Ok(Value::Object(mut merged)) = serde_json::to_value(stored) else {
        panic!("a stored spec is a map");
    };
    for (field, value) in patch {
        if value.is_null() {
            merged.remove(&field);
        } else {
            merged.insert(field, value);
        }
    }
    let new: K::Spec = read(&serde_json::to_vec(&Value::Object(merged)).unwrap())?;
    if K::check(&new).is_ok() && K::check_change(stored, &new).is_ok() {
        Some(new)
    } else {
        None
    }
}

/// An outbound webhook's URL as `hooks::endpoints` checks it (private targets refused):
/// an accepted one is https, and an address given as such is public.
fn endpoint_url(raw: &str) {
    let _ = EndpointUrl::parse(raw, true);
    if let Ok(url) = EndpointUrl::parse(raw, false) {
        assert!(url.https, "{raw} accepted without https");
        if let Ok(ip) = url.host.parse::<std::net::IpAddr>() {
            assert!(is_public(ip), "{raw} accepted with the address {ip}");
            assert!(!ip.is_loopback() && !ip.is_unspecified() && !ip.is_multicast());
        }
    }
}

fn rate_table(spec: &RateTableSpec, service: &ServiceSpec) {
    if RateTables::check(spec).is_err() {
        return;
    }
    for distance_m in [None, Some(0), Some(1), Some(12_345), Some(20_037_508)] {
        for weight_g in [None, Some(1), Some(10_000_000)] {
            for pieces in [None, Some(1), Some(10_000)] {
                if let (Ok(price), Some(min)) = (
                    spec.price(&Measures {
                        distance_m,
                        weight_g,
                        pieces,
                    }),
                    spec.min_price,
                ) {
                    assert!(
                        price
                            >= min
                                .minor()
                                .min(spec.max_price.map_or(u64::MAX, |m| m.minor()))
                    );
                }
            }
        }
    }
    quote_with(service, spec);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let service: ServiceSpec = serde_json::from_str(SERVICE).unwrap();
    let rates: RateTableSpec = serde_json::from_str(RATE_TABLE).unwrap();
    match OPERATIONS[selector as usize % OPERATIONS.len()] {
        "createClient" => drop(read::<api::clients::NewClientBody>(body)),
        "updateClient" => drop(read::<api::clients::ClientPatch>(body)),
        "acceptInvitation" => drop(read_or_empty::<api::invitations::AcceptBody>(body)),
        "createApiKey" => drop(read_or_empty::<api::api_keys::NewKeyBody>(body)),
        "createUser" => drop(read::<api::users::NewUserBody>(body)),
        "updateUser" => drop(read::<api::users::RoleBody>(body)),
        "createOrder" => drop(read::<api::orders::NewOrderBody>(body)),
        "submitOrders" => drop(read::<api::bulk_submit::SubmitBody>(body)),
        "updateOrder" => drop(read::<api::orders::OrderPatch>(body)),
        "rejectOrder" => drop(read::<api::order_actions::RejectBody>(body)),
        "recordTaskEvent" => drop(read::<api::task_events::TaskEventBody>(body)),
        "recordTaskLocation" => {
            if let Some(position) = read::<PositionInput>(body) {
                let _ = serde_json::to_string(&position.at(now()));
            }
        }
        "putNotificationSettings" => {
            if let Some(settings) = read::<api::settings::NotificationsBody>(body) {
                if let Some(templates) = settings.templates {
                    if let Err(e) = api::settings::parse_templates(templates) {
                        refused(e);
                    }
                }
            }
        }
        "putTrackingPageSettings" => drop(read::<TrackingPageSettings>(body)),
        "createService" => {
            if let Some(spec) = read::<ServiceSpec>(body) {
                if Services::check(&spec).is_ok() {
                    quote_with(&spec, &rates);
                }
            }
        }
        "updateService" => {
            if let Some(spec) = merged::<Services>(&service, body) {
                quote_with(&spec, &rates);
            }
        }
        "postChatMessage" => drop(read::<api::chat::NewMessage>(body)),
        "createTeam" => drop(read::<api::teams::NewTeam>(body)),
        "updateTeam" => drop(read::<api::teams::TeamPatch>(body)),
        "createRateTable" => {
            if let Some(spec) = read::<RateTableSpec>(body) {
                rate_table(&spec, &service);
            }
        }
        "updateRateTable" => {
            if let Some(spec) = merged::<RateTables>(&rates, body) {
                rate_table(&spec, &service);
            }
        }
        "putClientServices" => drop(read::<api::client_services::ClientServices>(body)),
        "createQuote" => drop(read::<api::quotes::QuoteRequest>(body)),
        "updateOrganizationSettings" => drop(read::<api::organization::OrganizationPatch>(body)),
        "createIntegration" => drop(read::<api::integrations::NewIntegration>(body)),
        "updateIntegration" => drop(read::<api::integrations::IntegrationPatch>(body)),
        "createWebhookEndpoint" | "updateWebhookEndpoint" => {
            if let Some(body) = read::<api::webhook_endpoints::Body>(body) {
                if let Some(url) = body.fields().0.url {
                    endpoint_url(&url);
                }
            }
        }
        other => unreachable!("{other}"),
    }
});
