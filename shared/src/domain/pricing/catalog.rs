//! What is stored: a courier's services and rate tables, and on each client item the
//! client's pricing context (a copy of each of its service and rate-table pairs, so that
//! quoting for a client reads only the client).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::quote::{all_reasons, quote, select, Quote, Reason, ServiceSelection, Shipment};
use super::rate_table::RateTableSpec;
use super::service::ServiceSpec;
use crate::domain::ids::{ClientId, CourierId, RateTableId, ServiceId};
use crate::domain::timezone::Timezone;

/// At most this many (service, rate table) pairs per client (the copies live on the client
/// item, which holds at most 400 KB).
pub const MAX_PAIRS: usize = 10;

/// At most this many clients can use one service or rate table: a change of it updates every
/// client's copy in the same transaction (DynamoDB: 100 writes).
pub const MAX_CLIENTS: usize = 99;

/// A courier's service or rate table as stored, with the clients that hold a copy of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry<Id, Spec> {
    pub id: Id,
    pub courier_id: CourierId,
    pub spec: Spec,
    /// The clients whose pricing context holds a copy (id → true).
    #[serde(default)]
    pub clients: BTreeMap<ClientId, bool>,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

pub type Service = Entry<ServiceId, ServiceSpec>;
pub type RateTable = Entry<RateTableId, RateTableSpec>;

impl<Id: Serialize, Spec: Serialize> Entry<Id, Spec> {
    /// `{"id", ...spec, "clientCount", "version", "createdAt", "updatedAt"}`.
    pub fn view(&self) -> Value {
        let mut shown = serde_json::Map::new();
        shown.insert("id".into(), json!(self.id));
        if let Value::Object(mut spec) = serde_json::to_value(&self.spec).unwrap_or_default() {
            shown.append(&mut spec);
        }
        shown.insert("clientCount".into(), self.clients.len().into());
        shown.insert("version".into(), self.version.into());
        shown.insert("createdAt".into(), self.created_at.clone().into());
        shown.insert("updatedAt".into(), self.updated_at.clone().into());
        Value::Object(shown)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pair {
    pub service_id: ServiceId,
    pub rate_table_id: RateTableId,
}

/// A client's services with their rates, copied from the courier's (kept in step by every
/// change of a service or rate table), and the courier's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PricingContext {
    pub timezone: Timezone,
    pub pairs: Vec<Pair>,
    pub services: BTreeMap<ServiceId, ServiceSpec>,
    pub rate_tables: BTreeMap<RateTableId, RateTableSpec>,
}

/// One service's quote for a client.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceQuote {
    pub service_id: ServiceId,
    pub name: String,
    pub currency: super::Currency,
    pub quote: Quote,
}

/// One service's quote as answered (`POST /v1/quotes`, a refused order's `services`):
/// `{"serviceId", "name", "eligible", "price"?, "currency", "completeBy"?, "readyBy",
/// "reasons"}`. The fields are in the order of their JSON names, so the JSON reads as the map
/// it was once built as.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotedService {
    /// When it would be completed (eligible only), in the courier's time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete_by: Option<String>,
    pub currency: super::Currency,
    pub eligible: bool,
    pub name: String,
    /// In minor units (eligible only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<u64>,
    pub ready_by: String,
    /// Why it cannot serve the order (empty when eligible).
    pub reasons: Vec<Reason>,
    pub service_id: ServiceId,
}

/// What an order keeps of the quote it was placed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderQuote {
    pub service_id: ServiceId,
    pub service_name: String,
    pub price: u64,
    pub currency: super::Currency,
    pub ready_by: String,
    pub complete_by: String,
}

impl PricingContext {
    pub fn has_services(&self) -> bool {
        !self.pairs.is_empty()
    }

    /// The time as the courier reads it (`2026-12-01T16:30:00+01:00`).
    pub fn local_time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.timezone.tz())
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// Every service of the client, quoted in the client's order.
    pub fn quote_all(&self, shipment: &Shipment, now: DateTime<Utc>) -> Vec<ServiceQuote> {
        self.pairs
            .iter()
            .filter_map(|pair| {
                let service = self.services.get(&pair.service_id)?;
                let rates = self.rate_tables.get(&pair.rate_table_id)?;
                Some(ServiceQuote {
                    service_id: pair.service_id.clone(),
                    name: service.name.to_string(),
                    currency: rates.currency,
                    quote: quote(service, rates, self.timezone.tz(), shipment, now),
                })
            })
            .collect()
    }

    /// One service's quote as the client reads it, its times in the courier's time zone.
    pub fn quote_view(&self, q: &ServiceQuote) -> QuotedService {
        let priced = q.quote.outcome.as_ref().ok();
        QuotedService {
            complete_by: priced.map(|p| self.local_time(p.complete_by)),
            currency: q.currency,
            eligible: priced.is_some(),
            name: q.name.clone(),
            price: priced.map(|p| p.price),
            ready_by: self.local_time(q.quote.ready_by),
            reasons: q.quote.outcome.as_ref().err().cloned().unwrap_or_default(),
            service_id: q.service_id.clone(),
        }
    }

    /// The order's quote from one service's, when it is eligible.
    pub fn order_quote(&self, q: &ServiceQuote) -> Option<OrderQuote> {
        let priced = q.quote.outcome.as_ref().ok()?;
        Some(OrderQuote {
            service_id: q.service_id.clone(),
            service_name: q.name.clone(),
            price: priced.price,
            currency: q.currency,
            ready_by: self.local_time(q.quote.ready_by),
            complete_by: self.local_time(priced.complete_by),
        })
    }
}

/// How an order fares against its client's services.
#[derive(Debug, Clone, PartialEq)]
pub enum Quoting {
    /// The client has no services: orders are not quoted (as before services existed).
    Unpriced,
    Quoted(OrderQuote),
    /// No service (or not the one asked for) can serve it.
    Unquotable {
        reasons: Vec<Reason>,
        services: Vec<QuotedService>,
    },
}

/// Why an order cannot be quoted before any service is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotingError {
    /// A service was named for a client without services.
    NoServices,
    /// A service was named that is not one of the client's.
    NotClientService,
}

/// Quotes an order: with `service_id`, that service; without, the one the client's rule picks.
pub fn quote_order(
    pricing: Option<&PricingContext>,
    rule: ServiceSelection,
    service_id: Option<&ServiceId>,
    shipment: &Shipment,
    now: DateTime<Utc>,
) -> Result<Quoting, QuotingError> {
    let Some(pricing) = pricing.filter(|p| p.has_services()) else {
        return match service_id {
            Some(_) => Err(QuotingError::NoServices),
            None => Ok(Quoting::Unpriced),
        };
    };
    let mut quotes = pricing.quote_all(shipment, now);
    if let Some(id) = service_id {
        quotes.retain(|q| &q.service_id == id);
        if quotes.is_empty() {
            return Err(QuotingError::NotClientService);
        }
    }
    let keyed: Vec<(usize, Quote)> = quotes
        .iter()
        .enumerate()
        .map(|(i, q)| (i, q.quote.clone()))
        .collect();
    if let Some((i, _)) = select(&keyed, rule) {
        if let Some(quote) = pricing.order_quote(&quotes[*i]) {
            return Ok(Quoting::Quoted(quote));
        }
    }
    Ok(Quoting::Unquotable {
        reasons: all_reasons(quotes.iter().map(|q| &q.quote)),
        services: quotes.iter().map(|q| pricing.quote_view(q)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pricing::geo::Point;
    use crate::domain::pricing::StopFacts;
    use serde_json::json;

    fn context() -> (PricingContext, ServiceId, ServiceId) {
        let (fast, slow) = (ServiceId::generate(), ServiceId::generate());
        let (dear, cheap) = (RateTableId::generate(), RateTableId::generate());
        let service = |sla: Value, max: u32| -> ServiceSpec {
            serde_json::from_value(json!({"name": "S", "sla": sla, "maxPieces": max,
                "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "23:59"}}))
            .unwrap()
        };
        let rates = |amount: u64| -> RateTableSpec {
            serde_json::from_value(json!({"name": "R", "currency": "EUR", "base": {"method": "flat", "amount": amount}}))
                .unwrap()
        };
        let pricing = PricingContext {
            timezone: Timezone::parse("Europe/Paris").unwrap(),
            pairs: vec![
                Pair {
                    service_id: fast.clone(),
                    rate_table_id: dear.clone(),
                },
                Pair {
                    service_id: slow.clone(),
                    rate_table_id: cheap.clone(),
                },
            ],
            services: [
                (
                    fast.clone(),
                    service(json!({"kind": "same_day", "hours": 1}), 2),
                ),
                (
                    slow.clone(),
                    service(json!({"kind": "next_day", "by": "12:00"}), 9),
                ),
            ]
            .into(),
            rate_tables: [(dear, rates(2000)), (cheap, rates(700))].into(),
        };
        (pricing, fast, slow)
    }

    fn shipment(pieces: u32) -> Shipment {
        let stop = StopFacts {
            postal_code: None,
            point: Some(Point {
                lat: 45.0,
                lng: 4.0,
            }),
        };
        Shipment {
            ready_by: None,
            due_by: None,
            weight: None,
            pieces: Some(pieces),
            pickup: stop.clone(),
            dropoff: stop,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-30T08:00:00Z".parse().unwrap()
    }

    #[test]
    fn orders_get_the_service_the_rule_or_the_caller_picks() {
        let (pricing, fast, slow) = context();
        let picked = |rule, id: Option<&ServiceId>, pieces| {
            quote_order(Some(&pricing), rule, id, &shipment(pieces), now())
        };
        let service_of = |q: Result<Quoting, QuotingError>| match q {
            Ok(Quoting::Quoted(quote)) => Some((quote.service_id, quote.price)),
            _ => None,
        };
        assert_eq!(
            service_of(picked(ServiceSelection::Fastest, None, 1)),
            Some((fast.clone(), 2000))
        );
        assert_eq!(
            service_of(picked(ServiceSelection::Cheapest, None, 1)),
            Some((slow.clone(), 700))
        );
        assert_eq!(
            service_of(picked(ServiceSelection::Fastest, Some(&slow), 1)),
            Some((slow.clone(), 700))
        );
        // Too many pieces for the fast one: the rule falls back to the other.
        assert_eq!(
            service_of(picked(ServiceSelection::Fastest, None, 5)),
            Some((slow.clone(), 700))
        );
        match picked(ServiceSelection::Fastest, Some(&fast), 5) {
            Ok(Quoting::Unquotable { reasons, services }) => {
                assert_eq!(reasons, vec![Reason::TooManyPieces]);
                assert_eq!(services.len(), 1);
                assert!(!services[0].eligible);
            }
            other => panic!("{other:?}"),
        }
        match picked(ServiceSelection::Cheapest, None, 50) {
            Ok(Quoting::Unquotable { reasons, services }) => {
                assert_eq!(reasons, vec![Reason::TooManyPieces]);
                assert_eq!(services.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            picked(ServiceSelection::Fastest, Some(&ServiceId::generate()), 1),
            Err(QuotingError::NotClientService)
        );
        let none = quote_order(None, ServiceSelection::Fastest, None, &shipment(1), now());
        assert_eq!(none, Ok(Quoting::Unpriced));
        let named = quote_order(
            None,
            ServiceSelection::Fastest,
            Some(&fast),
            &shipment(1),
            now(),
        );
        assert_eq!(named, Err(QuotingError::NoServices));
    }

    #[test]
    fn quotes_read_in_the_courier_time_zone() {
        let (pricing, fast, _) = context();
        let quotes = pricing.quote_all(&shipment(1), now());
        let first = serde_json::to_value(pricing.quote_view(&quotes[0])).unwrap();
        assert_eq!(first["serviceId"], json!(fast));
        assert_eq!(first["readyBy"], "2026-11-30T09:00:00+01:00");
        assert_eq!(first["completeBy"], "2026-11-30T10:00:00+01:00");
        assert_eq!(first["price"], 2000);
        assert_eq!(first["reasons"], json!([]));
        // The context reads back as it was written (it lives on the client item).
        let stored = serde_json::to_value(&pricing).unwrap();
        assert_eq!(
            serde_json::from_value::<PricingContext>(stored).unwrap(),
            pricing
        );
    }
}
