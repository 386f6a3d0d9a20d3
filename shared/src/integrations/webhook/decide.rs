//! What a delivery whose signature holds calls for, decided from what was read: pure, so
//! every case is a row of the table below. [`process`](super::process) reads the facts,
//! calls [`decide`] and applies the decision.

use crate::domain::integration::Outcome;
use crate::domain::shop_order::{ShopEvent, ShopOrder};

/// An earlier delivery of the same body (its marker).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub delivery_id: Option<String>,
    pub order_id: Option<String>,
}

/// Everything the decision depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// What the body asks for.
    pub event: ShopEvent,
    /// A delivery of the same body was received before (never for a replay).
    pub seen: Option<Seen>,
    /// The client deleted the integration.
    pub integration_deleted: bool,
    /// The client exists, is not deleted and the courier turned its integrations on.
    pub integrations_on: bool,
    /// The order already made from this platform order.
    pub made: Option<String>,
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Only record the delivery, with this outcome and why; `mark_seen`: with the marker
    /// that makes a redelivery of it a duplicate.
    Record {
        outcome: Outcome,
        reasons: Vec<String>,
        order_id: Option<String>,
        mark_seen: bool,
    },
    /// Withdraw the order made from the cancelled platform order.
    Withdraw { order_id: String },
    /// Place the shop's order.
    Place(Box<ShopOrder>),
}

fn record(outcome: Outcome, reason: String, mark_seen: bool) -> Decision {
    Decision::Record {
        outcome,
        reasons: vec![reason],
        order_id: None,
        mark_seen,
    }
}

pub fn decide(facts: Facts) -> Decision {
    if let Some(first) = facts.seen {
        return Decision::Record {
            outcome: Outcome::Duplicate,
            reasons: vec![format!(
                "redelivery: already received as {}",
                first
                    .delivery_id
                    .as_deref()
                    .unwrap_or("an earlier delivery")
            )],
            order_id: first.order_id,
            mark_seen: false,
        };
    }
    if facts.integration_deleted {
        return record(
            Outcome::Refused,
            "integration_deleted: the client deleted this integration".into(),
            false,
        );
    }
    if !facts.integrations_on {
        return record(
            Outcome::Refused,
            "integrations_disabled: the courier has not turned integrations on for this client"
                .into(),
            false,
        );
    }
    match (facts.event, facts.made) {
        (ShopEvent::Ignore(reasons), _) => Decision::Record {
            outcome: Outcome::Ignored,
            reasons,
            order_id: None,
            mark_seen: true,
        },
        (ShopEvent::Unreadable(reasons), _) => Decision::Record {
            outcome: Outcome::Failed,
            reasons,
            order_id: None,
            mark_seen: false,
        },
        (ShopEvent::Cancel { .. }, Some(order_id)) => Decision::Withdraw { order_id },
        (ShopEvent::Cancel { platform_order_id }, None) => record(
            Outcome::Ignored,
            format!("no_order: no order was made from platform order {platform_order_id}"),
            true,
        ),
        (ShopEvent::Create(_), Some(order_id)) => Decision::Record {
            outcome: Outcome::Duplicate,
            reasons: vec![format!(
                "order_exists: {order_id} was already made from this platform order"
            )],
            order_id: Some(order_id),
            mark_seen: true,
        },
        (ShopEvent::Create(order), None) => Decision::Place(order),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::Stop;

    fn order() -> Box<ShopOrder> {
        let dropoff: Stop = serde_json::from_value(serde_json::json!({
            "address": {"line1": "1 Rue de Rivoli", "city": "Paris", "postalCode": "75001", "country": "FR"},
            "contact": {"name": "Ada", "phone": "+33612345678"}
        }))
        .unwrap();
        Box::new(ShopOrder {
            platform_order_id: Some("1001".into()),
            external_id: Some("#1001".into()),
            pickup: None,
            dropoff,
            pieces: None,
            weight_grams: None,
            weight: None,
            notes: None,
            service_id: None,
            draft: false,
            reasons: vec![],
        })
    }

    fn facts(event: ShopEvent) -> Facts {
        Facts {
            event,
            seen: None,
            integration_deleted: false,
            integrations_on: true,
            made: None,
        }
    }

    fn cancel() -> ShopEvent {
        ShopEvent::Cancel {
            platform_order_id: "1001".into(),
        }
    }

    /// (case, facts, outcome recorded or what is done, marker written)
    #[test]
    fn every_case() {
        let seen = Seen {
            delivery_id: Some("dlv_1".into()),
            order_id: Some("ord_1".into()),
        };
        let rows: Vec<(&str, Facts, &str, bool)> = vec![
            (
                "new order",
                facts(ShopEvent::Create(order())),
                "place",
                false,
            ),
            (
                "redelivery of a body",
                Facts {
                    seen: Some(seen.clone()),
                    ..facts(ShopEvent::Create(order()))
                },
                "duplicate",
                false,
            ),
            (
                "redelivery wins over a deleted integration",
                Facts {
                    seen: Some(seen.clone()),
                    integration_deleted: true,
                    ..facts(cancel())
                },
                "duplicate",
                false,
            ),
            (
                "deleted integration",
                Facts {
                    integration_deleted: true,
                    ..facts(ShopEvent::Create(order()))
                },
                "refused",
                false,
            ),
            (
                "integrations off",
                Facts {
                    integrations_on: false,
                    ..facts(ShopEvent::Create(order()))
                },
                "refused",
                false,
            ),
            (
                "order already made from the platform order",
                Facts {
                    made: Some("ord_9".into()),
                    ..facts(ShopEvent::Create(order()))
                },
                "duplicate",
                true,
            ),
            (
                "nothing to ship",
                facts(ShopEvent::Ignore(vec!["local_pickup".into()])),
                "ignored",
                true,
            ),
            (
                "unreadable body",
                facts(ShopEvent::Unreadable(vec!["body_not_json".into()])),
                "failed",
                false,
            ),
            (
                "cancellation of an order made",
                Facts {
                    made: Some("ord_9".into()),
                    ..facts(cancel())
                },
                "withdraw",
                false,
            ),
            ("cancellation of nothing", facts(cancel()), "ignored", true),
        ];
        for (case, facts, expected, marker) in rows {
            let (what, marked) = match decide(facts) {
                Decision::Place(_) => ("place", false),
                Decision::Withdraw { .. } => ("withdraw", false),
                Decision::Record {
                    outcome, mark_seen, ..
                } => (
                    match outcome {
                        Outcome::Duplicate => "duplicate",
                        Outcome::Refused => "refused",
                        Outcome::Ignored => "ignored",
                        Outcome::Failed => "failed",
                        _ => "other",
                    },
                    mark_seen,
                ),
            };
            assert_eq!((what, marked), (expected, marker), "{case}");
        }
    }

    #[test]
    fn a_redelivery_names_the_first_delivery_and_its_order() {
        let decision = decide(Facts {
            seen: Some(Seen {
                delivery_id: Some("dlv_1".into()),
                order_id: Some("ord_1".into()),
            }),
            ..facts(ShopEvent::Create(order()))
        });
        assert_eq!(
            decision,
            Decision::Record {
                outcome: Outcome::Duplicate,
                reasons: vec!["redelivery: already received as dlv_1".into()],
                order_id: Some("ord_1".into()),
                mark_seen: false,
            }
        );
    }

    #[test]
    fn a_second_order_from_one_platform_order_names_the_first() {
        let decision = decide(Facts {
            made: Some("ord_9".into()),
            ..facts(ShopEvent::Create(order()))
        });
        assert!(matches!(
            decision,
            Decision::Record { outcome: Outcome::Duplicate, order_id: Some(ref id), ref reasons, .. }
                if id == "ord_9" && reasons[0].starts_with("order_exists: ord_9")
        ));
    }
}
