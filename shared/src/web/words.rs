//! The words a person reads for the order's states and history: an order's timeline entries
//! (`what`: a status, a change, or a task event `{kind}_{event}`) and a task's state. One
//! place, tested over every value, so no page shows a raw name such as `pickup_assigned`.

use crate::domain::order_machine::{OrderStatus, TaskEvent, TaskKind, TaskState};
use crate::domain::pricing::Reason;

/// A task's state, as the order page shows it.
pub fn task_state(state: TaskState) -> &'static str {
    match state {
        TaskState::Unassigned => "Not assigned yet",
        TaskState::Assigned => "Driver assigned",
        TaskState::Active => "Under way",
        TaskState::Completed => "Completed",
        TaskState::Failed => "Failed",
    }
}

/// A task's kind as a heading ("Pickup") and within a sentence ("the pickup").
pub fn task_kind(kind: TaskKind) -> (&'static str, &'static str) {
    match kind {
        TaskKind::Pickup => ("Pickup", "the pickup"),
        TaskKind::Dropoff => ("Dropoff", "the dropoff"),
    }
}

/// A timeline entry's `what` in words; `None` for a value this module does not know.
pub fn timeline_known(what: &str) -> Option<String> {
    if let Some(status) = OrderStatus::parse(what) {
        return Some(status_event(status).to_string());
    }
    match what {
        "edited" => return Some("Order edited".into()),
        "resubmitted" => return Some("Resubmitted to the courier".into()),
        _ => {}
    }
    let (kind, event) = what.split_once('_')?;
    let kind = match kind {
        "pickup" => TaskKind::Pickup,
        "dropoff" => TaskKind::Dropoff,
        _ => return None,
    };
    let event: TaskEvent = serde_json::from_value(event.into()).ok()?;
    Some(task_event(kind, event))
}

/// A timeline entry's `what` in words; an unknown one written as a sentence, never raw.
pub fn timeline(what: &str) -> String {
    timeline_known(what).unwrap_or_else(|| {
        let words = what.replace('_', " ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    })
}

/// The entry of an order reaching a status (its creation, a change of status).
fn status_event(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Draft => "Saved as a draft",
        OrderStatus::Placed => "Order placed",
        OrderStatus::Scheduled => "Scheduled by the courier",
        OrderStatus::InProgress => "Delivery under way",
        OrderStatus::Completed => "Delivered",
        OrderStatus::Failed => "Delivery failed",
        OrderStatus::Rejected => "Rejected by the courier",
        OrderStatus::Withdrawn => "Withdrawn",
    }
}

/// What dispatch reported about a task.
fn task_event(kind: TaskKind, event: TaskEvent) -> String {
    let (title, the) = task_kind(kind);
    match event {
        TaskEvent::Assigned => format!("Driver assigned to {the}"),
        TaskEvent::Unassigned => format!("Driver removed from {the}"),
        TaskEvent::Started => format!("Driver on the way to {the}"),
        TaskEvent::Eta => format!("New arrival time for {the}"),
        TaskEvent::Arrived => format!("Driver arrived at {the}"),
        TaskEvent::Completed => format!("{title} completed"),
        TaskEvent::Failed => format!("{title} failed"),
    }
}

/// Why a service cannot serve a quoted order, as the services page's "Try a quote" says it.
pub fn quote_reason(reason: Reason) -> &'static str {
    match reason {
        Reason::MissingWeight => "needs the parcel's weight",
        Reason::MissingPieces => "needs the number of pieces",
        Reason::MissingCoordinates => "needs both stops' coordinates (latitude and longitude)",
        Reason::TooHeavy => "the parcel is heavier than the service carries",
        Reason::TooManyPieces => "more pieces than the service carries",
        Reason::OutsideArea => "a stop is outside the service's area",
        Reason::Unavailable => "the service works no day in the next 31 days",
        Reason::MissesWindow => "cannot deliver by the time asked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `what` the use cases write: each status (creation, finalize, withdraw, reject),
    /// the edits, and every task event of both tasks.
    fn every_what() -> Vec<String> {
        let mut all: Vec<String> = OrderStatus::ALL.iter().map(|s| s.as_str().into()).collect();
        all.extend(["edited".into(), "resubmitted".into()]);
        for kind in [TaskKind::Pickup, TaskKind::Dropoff] {
            for event in TaskEvent::ALL {
                let event = serde_json::to_value(event).unwrap();
                all.push(format!("{}_{}", kind.as_str(), event.as_str().unwrap()));
            }
        }
        all
    }

    #[test]
    fn every_timeline_entry_has_words() {
        let all = every_what();
        assert_eq!(all.len(), 8 + 2 + 14);
        for what in &all {
            let words = timeline_known(what).unwrap_or_else(|| panic!("no words for {what}"));
            assert!(!words.contains('_') && words != *what, "{what}: {words}");
            assert!(words.chars().next().unwrap().is_uppercase(), "{words}");
        }
        assert_eq!(timeline("pickup_assigned"), "Driver assigned to the pickup");
        assert_eq!(timeline("dropoff_completed"), "Dropoff completed");
        assert_eq!(timeline("moved_by_hand"), "Moved by hand");
    }

    #[test]
    fn every_task_state_has_words() {
        for state in TaskState::ALL {
            let words = task_state(state);
            assert_ne!(words, state.as_str());
            assert!(words.chars().next().unwrap().is_uppercase(), "{words}");
        }
        assert_eq!(task_state(TaskState::Completed), "Completed");
    }
}
