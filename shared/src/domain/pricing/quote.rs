//! Quoting: whether a service can serve an order, at what price and by when; and choosing
//! one service by the client's rule.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::geo::distance_m;
use super::rate_table::{Measures, Missing, RateTableSpec};
use super::schedule::Calendar;
use super::service::{in_area, Area, ServiceSpec, StopFacts};
use super::weight::Weight;

/// How the courier picks a service for the client's orders when it uses rates (the
/// client's record names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceSelection {
    /// The service that completes earliest.
    #[default]
    Fastest,
    /// The lowest price that still meets the delivery window.
    Cheapest,
}

/// Why a service cannot serve an order (in this order when several apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    MissingWeight,
    MissingPieces,
    MissingCoordinates,
    TooHeavy,
    TooManyPieces,
    OutsideArea,
    Unavailable,
    MissesWindow,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MissingWeight => "missing_weight",
            Reason::MissingPieces => "missing_pieces",
            Reason::MissingCoordinates => "missing_coordinates",
            Reason::TooHeavy => "too_heavy",
            Reason::TooManyPieces => "too_many_pieces",
            Reason::OutsideArea => "outside_area",
            Reason::Unavailable => "unavailable",
            Reason::MissesWindow => "misses_window",
        }
    }
}

/// What is quoted: an order or a quote request.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipment {
    /// When it can be picked up (`None`, or a time already past: now).
    pub ready_by: Option<DateTime<FixedOffset>>,
    /// When it must be delivered by.
    pub due_by: Option<DateTime<FixedOffset>>,
    pub weight: Option<Weight>,
    pub pieces: Option<u32>,
    pub pickup: StopFacts,
    pub dropoff: StopFacts,
}

/// One service's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// The time the quote starts from (the ready time, or now).
    pub ready_by: DateTime<Utc>,
    pub outcome: Result<Priced, Vec<Reason>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priced {
    pub price: u64,
    pub complete_by: DateTime<Utc>,
}

/// Quotes one service with its rate table, in the courier's time zone, at `now`.
pub fn quote<Tz: chrono::TimeZone>(
    service: &ServiceSpec,
    rates: &RateTableSpec,
    tz: Tz,
    shipment: &Shipment,
    now: DateTime<Utc>,
) -> Quote {
    let ready = shipment
        .ready_by
        .map(|r| r.with_timezone(&Utc))
        .filter(|r| *r > now)
        .unwrap_or(now);
    let mut reasons = Vec::new();
    let distance = match (shipment.pickup.point, shipment.dropoff.point) {
        (Some(a), Some(b)) => Some(distance_m(a, b)),
        _ => None,
    };
    let measures = Measures {
        distance_m: distance,
        weight_g: shipment.weight.map(Weight::grams),
        pieces: shipment.pieces,
    };
    let price = rates.price(&measures).map_err(|missing| {
        missing
            .into_iter()
            .map(|m| match m {
                Missing::Distance => Reason::MissingCoordinates,
                Missing::Weight => Reason::MissingWeight,
                Missing::Pieces => Reason::MissingPieces,
            })
            .collect::<Vec<_>>()
    });
    if let Err(missing) = &price {
        reasons.extend(missing.iter().copied());
    }
    if let Some(max) = service.max_weight_kg {
        match shipment.weight {
            None => reasons.push(Reason::MissingWeight),
            Some(w) if w > max => reasons.push(Reason::TooHeavy),
            Some(_) => {}
        }
    }
    if let Some(max) = service.max_pieces {
        match shipment.pieces {
            None => reasons.push(Reason::MissingPieces),
            Some(p) if p > max.get() => reasons.push(Reason::TooManyPieces),
            Some(_) => {}
        }
    }
    if let Some(area) = &service.area {
        for stop in [&shipment.pickup, &shipment.dropoff] {
            match in_area(area, stop) {
                Some(true) => {}
                Some(false) => reasons.push(Reason::OutsideArea),
                None => reasons.push(match area {
                    Area::Polygon(_) => Reason::MissingCoordinates,
                    Area::PostalCodes(_) => Reason::OutsideArea,
                }),
            }
        }
    }
    let calendar = Calendar {
        tz,
        availability: &service.availability,
        holidays: &service.holidays,
        cutoff: service.cutoff,
        sla: service.sla,
    };
    let times = calendar.times(ready);
    match (times, shipment.due_by) {
        (None, _) => reasons.push(Reason::Unavailable),
        (Some(t), Some(due)) if t.complete_by > due.with_timezone(&Utc) => {
            reasons.push(Reason::MissesWindow)
        }
        _ => {}
    }
    reasons.sort();
    reasons.dedup();
    let outcome = match (price, times) {
        (Ok(price), Some(times)) if reasons.is_empty() => Ok(Priced {
            price,
            complete_by: times.complete_by,
        }),
        _ => Err(reasons),
    };
    Quote {
        ready_by: ready,
        outcome,
    }
}

/// The service the client's rule picks among quotes (all meet the due time, or they would
/// not be priced): `fastest` = earliest completion, then cheapest; `cheapest` = lowest
/// price, then earliest. Ties keep the client's order of services.
pub fn select<K>(quotes: &[(K, Quote)], rule: ServiceSelection) -> Option<&(K, Quote)> {
    quotes
        .iter()
        .enumerate()
        .filter_map(|(i, q)| q.1.outcome.as_ref().ok().map(|p| (i, p, q)))
        .min_by_key(|(i, p, _)| match rule {
            ServiceSelection::Fastest => (p.complete_by.timestamp(), p.price as i64, *i),
            ServiceSelection::Cheapest => (p.price as i64, p.complete_by.timestamp(), *i),
        })
        .map(|(_, _, q)| q)
}

/// The reasons of every quote, each once, in the canonical order.
pub fn all_reasons<'a>(quotes: impl IntoIterator<Item = &'a Quote>) -> Vec<Reason> {
    let mut reasons: Vec<Reason> = quotes
        .into_iter()
        .filter_map(|q| q.outcome.as_ref().err())
        .flatten()
        .copied()
        .collect();
    reasons.sort();
    reasons.dedup();
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pricing::geo::Point;
    use serde_json::json;

    fn service(v: serde_json::Value) -> ServiceSpec {
        let mut base = json!({
            "name": "S", "sla": {"kind": "same_day", "hours": 4},
            "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "20:00"}
        });
        for (k, x) in v.as_object().unwrap() {
            base[k] = x.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    fn rates(v: serde_json::Value) -> RateTableSpec {
        let mut base =
            json!({"name": "R", "currency": "EUR", "base": {"method": "flat", "amount": 1000}});
        for (k, x) in v.as_object().unwrap() {
            base[k] = x.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    fn at(raw: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(raw).unwrap()
    }

    fn shipment() -> Shipment {
        Shipment {
            ready_by: Some(at("2026-12-01T09:00:00Z")),
            due_by: None,
            weight: Some(Weight::from_kg(2.0).unwrap()),
            pieces: Some(2),
            pickup: StopFacts {
                postal_code: Some("75001".into()),
                point: Some(Point {
                    lat: 48.86,
                    lng: 2.34,
                }),
            },
            dropoff: StopFacts {
                postal_code: Some("75011".into()),
                point: Some(Point {
                    lat: 48.86,
                    lng: 2.38,
                }),
            },
        }
    }

    fn now() -> DateTime<Utc> {
        at("2026-12-01T08:00:00Z").with_timezone(&Utc)
    }

    #[test]
    fn reasons_are_table_driven() {
        let no_weight = Shipment {
            weight: None,
            ..shipment()
        };
        let no_pieces = Shipment {
            pieces: None,
            ..shipment()
        };
        let no_coords = Shipment {
            pickup: StopFacts {
                point: None,
                ..shipment().pickup
            },
            ..shipment()
        };
        let due_soon = Shipment {
            due_by: Some(at("2026-12-01T10:00:00Z")),
            ..shipment()
        };
        let square = json!({"polygon": {"type": "Polygon",
            "coordinates": [[[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 49.0], [2.0, 48.0]]]}});
        let cases: Vec<(&str, ServiceSpec, RateTableSpec, Shipment, Vec<Reason>)> = vec![
            (
                "eligible",
                service(json!({})),
                rates(json!({})),
                shipment(),
                vec![],
            ),
            (
                "weight rate, no weight",
                service(json!({})),
                rates(json!({"base": {"method": "weight", "amount": 1}})),
                no_weight.clone(),
                vec![Reason::MissingWeight],
            ),
            (
                "max weight, no weight",
                service(json!({"maxWeightKg": 5})),
                rates(json!({})),
                no_weight,
                vec![Reason::MissingWeight],
            ),
            (
                "max pieces, no pieces",
                service(json!({"maxPieces": 5})),
                rates(json!({})),
                no_pieces,
                vec![Reason::MissingPieces],
            ),
            (
                "distance rate, no coordinates",
                service(json!({})),
                rates(json!({"base": {"method": "distance", "amount": 1}})),
                no_coords.clone(),
                vec![Reason::MissingCoordinates],
            ),
            (
                "polygon, no coordinates",
                service(json!({"area": square})),
                rates(json!({})),
                no_coords,
                vec![Reason::MissingCoordinates],
            ),
            (
                "polygon, inside",
                service(json!({"area": square})),
                rates(json!({})),
                shipment(),
                vec![],
            ),
            (
                "too heavy",
                service(json!({"maxWeightKg": 1.5})),
                rates(json!({})),
                shipment(),
                vec![Reason::TooHeavy],
            ),
            (
                "too many pieces",
                service(json!({"maxPieces": 1})),
                rates(json!({})),
                shipment(),
                vec![Reason::TooManyPieces],
            ),
            (
                "outside postal area",
                service(json!({"area": {"postalCodePrefixes": ["941"]}})),
                rates(json!({})),
                shipment(),
                vec![Reason::OutsideArea],
            ),
            (
                "inside postal area",
                service(json!({"area": {"postalCodePrefixes": ["750"]}})),
                rates(json!({})),
                shipment(),
                vec![],
            ),
            (
                "misses window",
                service(json!({})),
                rates(json!({})),
                due_soon.clone(),
                vec![Reason::MissesWindow],
            ),
            (
                "fast enough",
                service(json!({"sla": {"kind": "same_day", "hours": 1}})),
                rates(json!({})),
                due_soon,
                vec![],
            ),
            (
                "several",
                service(
                    json!({"maxWeightKg": 1, "maxPieces": 1, "area": {"postalCodePrefixes": ["941"]}}),
                ),
                rates(json!({})),
                shipment(),
                vec![Reason::TooHeavy, Reason::TooManyPieces, Reason::OutsideArea],
            ),
        ];
        for (name, s, r, sh, expected) in cases {
            let q = quote(&s, &r, chrono_tz::Europe::Paris, &sh, now());
            match q.outcome {
                Ok(p) => assert!(
                    expected.is_empty(),
                    "{name}: priced {p:?}, expected {expected:?}"
                ),
                Err(reasons) => assert_eq!(reasons, expected, "{name}"),
            }
        }
    }

    #[test]
    fn a_past_ready_time_quotes_from_now() {
        let past = Shipment {
            ready_by: Some(at("2026-11-30T09:00:00Z")),
            ..shipment()
        };
        let q = quote(
            &service(json!({})),
            &rates(json!({})),
            chrono_tz::UTC,
            &past,
            now(),
        );
        assert_eq!(q.ready_by, now());
        assert_eq!(
            q.outcome.unwrap().complete_by,
            now() + chrono::Duration::hours(4)
        );
    }

    #[test]
    fn fastest_and_cheapest_pick_differently() {
        let due = Shipment {
            due_by: Some(at("2026-12-03T12:00:00Z")),
            ..shipment()
        };
        let express = (
            service(json!({"sla": {"kind": "same_day", "hours": 2}})),
            rates(json!({"base": {"method": "flat", "amount": 2500}})),
        );
        let standard = (
            service(json!({"sla": {"kind": "next_day", "by": "12:00"}})),
            rates(json!({"base": {"method": "flat", "amount": 900}})),
        );
        let slow = (
            service(
                json!({"sla": {"kind": "next_day", "by": "18:00"}, "availability": {"days": ["fri"], "from": "08:00", "to": "20:00"}}),
            ),
            rates(json!({"base": {"method": "flat", "amount": 100}})),
        );
        let quotes: Vec<(&str, Quote)> = [
            ("express", &express),
            ("standard", &standard),
            ("slow", &slow),
        ]
        .into_iter()
        .map(|(k, (s, r))| (k, quote(s, r, chrono_tz::Europe::Paris, &due, now())))
        .collect();
        assert_eq!(
            quotes[2].1.outcome,
            Err(vec![Reason::MissesWindow]),
            "slow misses dueBy"
        );
        assert_eq!(
            select(&quotes, ServiceSelection::Fastest).unwrap().0,
            "express"
        );
        assert_eq!(
            select(&quotes, ServiceSelection::Cheapest).unwrap().0,
            "standard"
        );
        let none: Vec<(&str, Quote)> = vec![quotes[2].clone()];
        assert!(select(&none, ServiceSelection::Cheapest).is_none());
        assert_eq!(
            all_reasons(none.iter().map(|q| &q.1)),
            vec![Reason::MissesWindow]
        );
    }
}
