//! Which notifications an order change calls for: a pure function of the old and new order.

use chrono::{DateTime, Duration, Utc};

use crate::domain::notifications::{ArrivingMinutes, Trigger};
use crate::domain::order::{Order, Task};
use crate::domain::order_machine::{OrderStatus, TaskKind, TaskState};

/// An ETA that moves later by this much is a delay.
pub const DELAY_THRESHOLD_MINUTES: i64 = 15;

/// What an order change calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An SMS to the recipient, if the client has a template for it.
    Sms(TaskKind, Trigger),
    /// A later ETA, neither the first nor a delay: the `arriving` SMS if it is within the
    /// client's arriving threshold ([`resolve_nearing`] decides, with the client's settings).
    Nearing(TaskKind),
    /// An email to the client: its order was rejected.
    Rejected,
    /// An email to the client: its order failed.
    Failed,
}

impl Notice {
    /// Part of the notification id: with the order id and version, names one message.
    pub fn tag(&self) -> String {
        match self {
            Notice::Sms(kind, trigger) => format!("sms:{}:{}", kind.as_str(), trigger.as_str()),
            Notice::Nearing(kind) => format!("sms:{}:nearing", kind.as_str()),
            Notice::Rejected => "email:rejected".into(),
            Notice::Failed => "email:failed".into(),
        }
    }
}

pub fn notices(old: &Order, new: &Order) -> Vec<Notice> {
    let mut notices = Vec::new();
    for kind in [TaskKind::Pickup, TaskKind::Dropoff] {
        let (before, after) = (task(old, kind), task(new, kind));
        for trigger in task_triggers(before, after) {
            notices.push(Notice::Sms(kind, trigger));
        }
        if is_nearing_candidate(before, after) {
            notices.push(Notice::Nearing(kind));
        }
    }
    if old.status != new.status {
        match new.status {
            OrderStatus::Rejected => notices.push(Notice::Rejected),
            OrderStatus::Failed => notices.push(Notice::Failed),
            _ => {}
        }
    }
    notices
}

/// The notification id of a notice: the order, the notice, and the moment the order
/// records for it (a task's `startedAt`, `completedAt`, its failure's timeline entry, the
/// rejection's time), so the live fan-out and a replay from the order as stored name the
/// same message. The first ETA and the arriving message are once per task: their ids carry
/// `first` and `once`, so however many ETAs come (and whether the driver is near by the ETA
/// or at the door first), each goes out once. A delay records no moment: its id carries
/// the order's version (delays are not replayed).
pub fn notification_id(order: &Order, notice: &Notice) -> String {
    let stamp = moment(order, notice).unwrap_or_else(|| format!("v{}", order.version));
    format!("{}:{}:{stamp}", order.id, notice.tag())
}

fn moment(order: &Order, notice: &Notice) -> Option<String> {
    match notice {
        Notice::Sms(kind, trigger) => {
            let task = task(order, *kind);
            match trigger {
                Trigger::Started => task.started_at.clone(),
                Trigger::Arriving => Some("once".into()),
                Trigger::Completed => task.completed_at.clone(),
                Trigger::Failed => failed_at(order, Some(*kind)),
                Trigger::Eta => Some("first".into()),
                Trigger::Delayed => None,
            }
        }
        Notice::Nearing(_) => None,
        Notice::Rejected => order.rejection.as_ref().map(|r| r.at.clone()),
        Notice::Failed => failed_at(order, None),
    }
}

/// When the task (or either task) last failed, by the order's timeline.
fn failed_at(order: &Order, kind: Option<TaskKind>) -> Option<String> {
    order
        .timeline
        .iter()
        .rev()
        .find(|e| match kind {
            Some(kind) => e.what == format!("{}_failed", kind.as_str()),
            None => e.what.ends_with("_failed"),
        })
        .map(|e| e.at.clone())
}

/// What the order as stored calls for, as the change that brought it there did: each
/// task's latest milestone (started, arriving, completed or failed; never an ETA, stale by
/// the time of a replay) and the rejection or failure email. `portal-admin
/// replay-notifications` sends these; the notification ids make it send only what never
/// went out.
pub fn current_notices(order: &Order) -> Vec<Notice> {
    let mut before = order.clone();
    for kind in [TaskKind::Pickup, TaskKind::Dropoff] {
        let task = match kind {
            TaskKind::Pickup => &mut before.pickup,
            TaskKind::Dropoff => &mut before.dropoff,
        };
        match task.state {
            TaskState::Completed | TaskState::Failed => task.state = TaskState::Active,
            TaskState::Active if task.arrived_at.is_some() => task.arrived_at = None,
            TaskState::Active => task.started_at = None,
            TaskState::Unassigned | TaskState::Assigned => {}
        }
    }
    if matches!(order.status, OrderStatus::Rejected | OrderStatus::Failed) {
        before.status = OrderStatus::InProgress;
    }
    notices(&before, order)
}

/// A later ETA of an active task that is neither its first nor a delay: it may bring the
/// driver within the client's arriving threshold.
fn is_nearing_candidate(old: &Task, new: &Task) -> bool {
    new.state == TaskState::Active
        && old.eta.is_some()
        && new.eta.is_some()
        && old.eta != new.eta
        && new.arrived_at.is_none()
        && !is_delay(old, new)
}

/// [`Notice::Nearing`] made an `arriving` SMS when the ETA is within `within` of the
/// change's own time (the order's `updatedAt`, so a late or retried record judges as the
/// live one did), dropped otherwise. Other notices pass as they are.
pub fn resolve_nearing(
    notices: Vec<Notice>,
    order: &Order,
    within: ArrivingMinutes,
    fallback_now: DateTime<Utc>,
) -> Vec<Notice> {
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let at = parse(&order.updated_at).unwrap_or(fallback_now);
    notices
        .into_iter()
        .filter_map(|notice| match notice {
            Notice::Nearing(kind) => task(order, kind)
                .eta
                .as_deref()
                .and_then(parse)
                .filter(|eta| within.covers(*eta, at))
                .map(|_| Notice::Sms(kind, Trigger::Arriving)),
            other => Some(other),
        })
        .collect()
}

fn task(order: &Order, kind: TaskKind) -> &Task {
    match kind {
        TaskKind::Pickup => &order.pickup,
        TaskKind::Dropoff => &order.dropoff,
    }
}

fn task_triggers(old: &Task, new: &Task) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    let changed = |a: &Option<String>, b: &Option<String>| b.is_some() && a != b;
    if changed(&old.started_at, &new.started_at) && new.state == TaskState::Active {
        triggers.push(Trigger::Started);
    }
    let open = matches!(new.state, TaskState::Assigned | TaskState::Active);
    if open && changed(&old.eta, &new.eta) {
        if is_delay(old, new) {
            triggers.push(Trigger::Delayed);
        } else if old.eta.is_none() {
            triggers.push(Trigger::Eta);
        }
    }
    if changed(&old.arrived_at, &new.arrived_at) && new.state == TaskState::Active {
        triggers.push(Trigger::Arriving);
    }
    if old.state != new.state {
        match new.state {
            TaskState::Completed => triggers.push(Trigger::Completed),
            TaskState::Failed => triggers.push(Trigger::Failed),
            _ => {}
        }
    }
    triggers
}

/// The new ETA passes the end of the window (and the old one did not), or moves later by
/// [`DELAY_THRESHOLD_MINUTES`] or more.
fn is_delay(old: &Task, new: &Task) -> bool {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(new_eta), old_eta) = (parse(&new.eta), parse(&old.eta)) else {
        return false;
    };
    let due = new
        .stop
        .window
        .complete_before
        .map(|d| d.with_timezone(&Utc));
    let passes_due = due.is_some_and(|due| new_eta > due && old_eta.is_none_or(|o| o <= due));
    let slipped =
        old_eta.is_some_and(|o| new_eta - o >= Duration::minutes(DELAY_THRESHOLD_MINUTES));
    passes_due || slipped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::TimelineEntry;

    fn order() -> Order {
        let task = |kind: TaskKind| {
            serde_json::json!({
                "id": format!("tsk_01J00000000000000000000000_{}", kind.as_str()),
                "kind": kind.as_str(),
                "address": {"line1": "1 Main St", "city": "Lyon"},
                "state": "unassigned"
            })
        };
        serde_json::from_value(serde_json::json!({
            "id": "ord_01J00000000000000000000000", "shortId": "ABCD2345",
            "courierId": "cou_01J00000000000000000000000",
            "clientId": "cli_01J00000000000000000000000", "clientName": "Bloom",
            "status": "in_progress", "pickup": task(TaskKind::Pickup),
            "dropoff": task(TaskKind::Dropoff), "source": "api", "trackingToken": "t",
            "trackingUrl": "https://portal.test/track/t", "version": 7,
            "createdAt": "2026-12-01T08:00:00.000Z", "updatedAt": "2026-12-01T09:00:00.000Z"
        }))
        .unwrap()
    }

    #[test]
    fn the_current_notices_are_each_tasks_latest_milestone() {
        let mut order = order();
        order.pickup.state = TaskState::Completed;
        order.pickup.started_at = Some("2026-12-01T08:10:00.000Z".into());
        order.pickup.completed_at = Some("2026-12-01T08:20:00.000Z".into());
        order.dropoff.state = TaskState::Active;
        order.dropoff.started_at = Some("2026-12-01T08:30:00.000Z".into());
        order.dropoff.eta = Some("2026-12-01T09:30:00.000Z".into());
        assert_eq!(
            current_notices(&order),
            vec![
                Notice::Sms(TaskKind::Pickup, Trigger::Completed),
                Notice::Sms(TaskKind::Dropoff, Trigger::Started),
            ]
        );
        order.dropoff.arrived_at = Some("2026-12-01T09:25:00.000Z".into());
        assert_eq!(
            current_notices(&order)[1],
            Notice::Sms(TaskKind::Dropoff, Trigger::Arriving)
        );
        order.dropoff.state = TaskState::Failed;
        order.status = OrderStatus::Failed;
        order.timeline.push(TimelineEntry {
            at: "2026-12-01T09:40:00.000Z".into(),
            what: "dropoff_failed".into(),
            by: String::new(),
            detail: None,
        });
        let notices = current_notices(&order);
        assert_eq!(
            notices[1..],
            [
                Notice::Sms(TaskKind::Dropoff, Trigger::Failed),
                Notice::Failed
            ]
        );
        assert_eq!(
            notification_id(&order, &notices[1]),
            "ord_01J00000000000000000000000:sms:dropoff:failed:2026-12-01T09:40:00.000Z"
        );
    }

    #[test]
    fn a_notification_id_does_not_move_with_later_versions() {
        let mut order = order();
        order.dropoff.state = TaskState::Active;
        order.dropoff.started_at = Some("2026-12-01T08:30:00.000Z".into());
        let started = Notice::Sms(TaskKind::Dropoff, Trigger::Started);
        let id = notification_id(&order, &started);
        order.version += 3;
        assert_eq!(notification_id(&order, &started), id);
        // The first ETA and the arriving message: once per task, whatever the version.
        let eta = Notice::Sms(TaskKind::Dropoff, Trigger::Eta);
        assert!(notification_id(&order, &eta).ends_with(":sms:dropoff:eta:first"));
        let arriving = Notice::Sms(TaskKind::Dropoff, Trigger::Arriving);
        assert!(notification_id(&order, &arriving).ends_with(":sms:dropoff:arriving:once"));
        let delayed = Notice::Sms(TaskKind::Dropoff, Trigger::Delayed);
        assert!(notification_id(&order, &delayed).ends_with(":sms:dropoff:delayed:v10"));
    }

    #[test]
    fn a_later_eta_is_an_arriving_message_only_within_the_threshold() {
        let mut old = order();
        old.dropoff.state = TaskState::Active;
        old.dropoff.started_at = Some("2026-12-01T08:30:00.000Z".into());
        old.dropoff.eta = Some("2026-12-01T09:30:00.000Z".into());
        let mut new = old.clone();
        new.updated_at = "2026-12-01T09:00:00.000Z".into();
        new.dropoff.eta = Some("2026-12-01T09:12:00.000Z".into());
        let noticed = notices(&old, &new);
        assert_eq!(noticed, vec![Notice::Nearing(TaskKind::Dropoff)]);
        let now = "2026-12-01T09:00:00Z".parse().unwrap();
        let ten = ArrivingMinutes::default();
        assert!(resolve_nearing(noticed.clone(), &new, ten, now).is_empty());
        let fifteen = ArrivingMinutes::try_from(15).unwrap();
        assert_eq!(
            resolve_nearing(noticed, &new, fifteen, now),
            vec![Notice::Sms(TaskKind::Dropoff, Trigger::Arriving)]
        );
        // The first ETA is the `eta` message, never a nearing one.
        let mut first = old.clone();
        first.dropoff.eta = None;
        assert_eq!(
            notices(&first, &new),
            vec![Notice::Sms(TaskKind::Dropoff, Trigger::Eta)]
        );
    }
}
