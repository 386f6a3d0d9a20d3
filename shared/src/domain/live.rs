//! Live updates: who an open page listens as (its [`Audience`]) and the small messages the
//! portal pushes to it over a WebSocket ([`LiveMessage`]). Messages carry ids and what the
//! receiver may see, never the thing itself: a page that hears `order.changed` fetches its
//! own fragment again, through the same checks as any request. Which audiences a change
//! reaches is a pure function of the change ([`order_audiences`], [`chat_audiences`]).

use serde::Serialize;

use super::order::Order;
use super::order_machine::{OrderStatus, TaskState};

/// API Gateway closes a WebSocket after two hours: a connection item lives as long.
pub const CONNECTION_HOURS: i64 = 2;

/// Who a connection listens as. An organisation's people hear their organisation's events
/// (a courier: every order and conversation of its clients; a client: its own), the public
/// tracking page hears its one order's dropoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// A courier's people (`cou_…`).
    Courier(String),
    /// A client's people (`cli_…`).
    Client(String),
    /// A tracking page: the order (`ord_…`) its token names.
    Tracking(String),
}

impl Audience {
    /// The id the connections of this audience are kept under (an organisation's or the
    /// order's: the prefixes `cou_`, `cli_`, `ord_` keep them apart).
    pub fn id(&self) -> &str {
        match self {
            Audience::Courier(id) | Audience::Client(id) | Audience::Tracking(id) => id,
        }
    }
}

/// A message pushed to a page, as JSON text (`{"type": "order.changed", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum LiveMessage {
    /// A new message in a client's conversation.
    #[serde(rename = "chat.message", rename_all = "camelCase")]
    ChatMessage { client_id: String },
    /// A new order (a client hears its drafts too; its courier, placed orders only).
    #[serde(rename = "order.created", rename_all = "camelCase")]
    OrderCreated { order_id: String, status: String },
    /// An order changed (status, a task's progress, an edit).
    #[serde(rename = "order.changed", rename_all = "camelCase")]
    OrderChanged { order_id: String, status: String },
    /// The tracking page's order changed (its status); nothing else of the order.
    #[serde(rename = "tracking.changed")]
    TrackingChanged { status: String },
    /// The driver's latest position, to the tracking page while its dropoff is active.
    #[serde(rename = "task.location")]
    TaskLocation { lat: f64, lng: f64, at: String },
    /// The answer to a browser's `{"type":"ping"}` (on the `$default` route).
    #[serde(rename = "pong")]
    Pong,
}

impl LiveMessage {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Who hears of an order's change, and what: `old` is `None` for a new order. A draft is
/// the client's own business until it is placed (its courier hears `order.created` then);
/// the tracking page hears status changes only.
pub fn order_audiences(old: Option<&Order>, new: &Order) -> Vec<(Audience, LiveMessage)> {
    let courier = Audience::Courier(new.courier_id.to_string());
    let client = Audience::Client(new.client_id.to_string());
    let status = new.status.as_str().to_string();
    let order_id = new.id.clone();
    let mut out = Vec::new();
    match old {
        None => {
            let created = LiveMessage::OrderCreated {
                order_id,
                status: status.clone(),
            };
            if new.status != OrderStatus::Draft {
                out.push((courier, created.clone()));
            }
            out.push((client, created));
        }
        Some(old) if old.version == new.version && old.status == new.status => {}
        Some(old) => {
            let changed = LiveMessage::OrderChanged {
                order_id: order_id.clone(),
                status: status.clone(),
            };
            if old.status == OrderStatus::Draft && new.status != OrderStatus::Draft {
                out.push((
                    courier,
                    LiveMessage::OrderCreated {
                        order_id,
                        status: status.clone(),
                    },
                ));
            } else if new.status != OrderStatus::Draft {
                out.push((courier, changed.clone()));
            }
            out.push((client, changed));
            if old.status != new.status || old.dropoff.state != new.dropoff.state {
                out.push((
                    Audience::Tracking(new.id.clone()),
                    LiveMessage::TrackingChanged { status },
                ));
            }
        }
    }
    out
}

/// Who hears of a new chat message: both sides of the client's conversation.
pub fn chat_audiences(courier_id: &str, client_id: &str) -> Vec<(Audience, LiveMessage)> {
    let message = LiveMessage::ChatMessage {
        client_id: client_id.to_string(),
    };
    vec![
        (Audience::Courier(courier_id.to_string()), message.clone()),
        (Audience::Client(client_id.to_string()), message),
    ]
}

/// Whether a position of the order's dropoff may be shown: only while the driver is on
/// the way (the tracking page's own rule: nothing before the dropoff starts or after it).
pub fn shows_position(order: &Order) -> bool {
    order.dropoff.state == TaskState::Active
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str) -> Order {
        let task = |kind: &str| {
            serde_json::json!({
                "id": format!("tsk_01J00000000000000000000000_{kind}"), "kind": kind,
                "address": {"line1": "1 Main St", "city": "Lyon"}, "state": "unassigned"
            })
        };
        serde_json::from_value(serde_json::json!({
            "id": "ord_01J00000000000000000000000", "shortId": "ABCD2345",
            "courierId": "cou_01J00000000000000000000000",
            "clientId": "cli_01J00000000000000000000000", "clientName": "Bloom",
            "status": status, "pickup": task("pickup"), "dropoff": task("dropoff"),
            "source": "api", "trackingToken": "t", "trackingUrl": "https://portal.test/track/t",
            "version": 1, "createdAt": "2026-12-01T08:00:00.000Z",
            "updatedAt": "2026-12-01T09:00:00.000Z"
        }))
        .unwrap()
    }

    #[test]
    fn a_draft_is_the_clients_until_placed() {
        let draft = order("draft");
        let heard = order_audiences(None, &draft);
        assert_eq!(heard.len(), 1);
        assert!(matches!(heard[0].0, Audience::Client(_)));
        let mut placed = order("placed");
        placed.version = 2;
        let heard = order_audiences(Some(&draft), &placed);
        assert!(heard.iter().any(|(a, m)| matches!(a, Audience::Courier(_))
            && matches!(m, LiveMessage::OrderCreated { .. })));
        assert!(heard
            .iter()
            .any(|(a, _)| matches!(a, Audience::Tracking(id) if id == &placed.id)));
    }

    #[test]
    fn messages_carry_ids_only() {
        let json = LiveMessage::OrderChanged {
            order_id: "ord_1".into(),
            status: "placed".into(),
        }
        .to_json();
        assert_eq!(
            json,
            r#"{"type":"order.changed","orderId":"ord_1","status":"placed"}"#
        );
        assert_eq!(
            LiveMessage::ChatMessage {
                client_id: "cli_1".into()
            }
            .to_json(),
            r#"{"type":"chat.message","clientId":"cli_1"}"#
        );
        let unchanged = order("placed");
        assert!(order_audiences(Some(&unchanged), &unchanged).is_empty());
    }
}
