//! Progress of an order's tasks (assigned, started, ETA, arrived, completed, failed…): the
//! one use case behind `POST /v1/tasks/{taskId}/events` (the courier's dispatch system) and
//! the order page's **Record progress** forms (a courier's person, by hand).
//!
//! Each event is one conditional UpdateItem, with no read before it. The update's guards
//! are derived from the status machine: every state in which the event is legal, grouped
//! by what the event sets. The first guard covers the usual case; when the order is in a
//! state another guard covers, DynamoDB's `ALL_OLD` on the failed condition tells which,
//! and one more write applies it. An event the machine refuses is refused after one call.
//! An assignment that names a team reads the team first (it must be one of the courier's).

pub mod error;
pub mod positions;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::order::{self, Driver, Order, Proof, TimelineEntry};
use crate::domain::order_machine::{
    reachable_states, transition, Event, OrderState, OrderStatus, TaskEvent, TaskKind, TaskState,
};
use crate::domain::position::Position;
use crate::domain::text::Notes;
use crate::domain::{Name, Phone, TeamId};
use crate::ordering::changes::actor;
use crate::store::records::from_item;
use crate::store::{keys, Cond, StoreError, Update};
use crate::teams;
use crate::Ctx;

pub use error::{TaskEventError, TaskField};

/// The driver an assignment names.
#[derive(Debug, Clone)]
pub struct AssignedDriver {
    pub name: Name,
    pub phone: Option<Phone>,
}

/// A task event, as the API's body or a page's form gives it.
#[derive(Debug, Clone)]
pub struct RecordTaskEvent<'a> {
    pub by: &'a Principal,
    /// `tsk_<ulid>_pickup|dropoff`.
    pub task_id: &'a str,
    pub event: TaskEvent,
    /// An assignment's driver (required then).
    pub driver: Option<AssignedDriver>,
    /// An assignment's team: one of the courier's.
    pub team_id: Option<TeamId>,
    /// An ETA event's estimated arrival (required then).
    pub eta: Option<DateTime<FixedOffset>>,
    /// A completion's proof (photos are http(s) URLs).
    pub proof: Option<Proof>,
    /// Said on the timeline.
    pub notes: Option<Notes>,
    /// A failure's reason (required then).
    pub failure_reason: Option<Notes>,
    /// The driver's position, on any event.
    pub location: Option<Position>,
}

impl<'a> RecordTaskEvent<'a> {
    /// The event with nothing else given.
    pub fn new(by: &'a Principal, task_id: &'a str, event: TaskEvent) -> Self {
        RecordTaskEvent {
            by,
            task_id,
            event,
            driver: None,
            team_id: None,
            eta: None,
            proof: None,
            notes: None,
            failure_reason: None,
            location: None,
        }
    }
}

/// One guarded write: the states it applies in and what it sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    pub from: Vec<OrderState>,
    pub status: Option<OrderStatus>,
    pub task_state: Option<TaskState>,
}

impl Guard {
    pub fn cond(&self) -> Cond {
        Cond::Or(
            self.from
                .iter()
                .map(|s| {
                    Cond::And(vec![
                        Cond::eq("status", s.status.as_str()),
                        Cond::eq("pickup.state", s.pickup.as_str()),
                        Cond::eq("dropoff.state", s.dropoff.as_str()),
                    ])
                })
                .collect(),
        )
    }

    /// The state this guard leads to from `from` (the test compares it with the machine).
    pub fn apply(&self, from: OrderState, kind: TaskKind) -> OrderState {
        let mut next = from;
        if let Some(status) = self.status {
            next.status = status;
        }
        if let Some(state) = self.task_state {
            match kind {
                TaskKind::Pickup => next.pickup = state,
                TaskKind::Dropoff => next.dropoff = state,
            }
        }
        next
    }
}

/// The guards of a task event, largest first, derived from [`transition`].
pub fn guards(kind: TaskKind, event: TaskEvent) -> Vec<Guard> {
    let legal: Vec<(OrderState, OrderState)> = reachable_states()
        .iter()
        .copied()
        .filter_map(|s| transition(s, Event::Task(kind, event)).ok().map(|n| (s, n)))
        .collect();
    let status_changes = legal.iter().any(|(s, n)| s.status != n.status);
    let task_changes = legal.iter().any(|(s, n)| s.task(kind) != n.task(kind));
    let mut guards: Vec<Guard> = Vec::new();
    for (from, next) in legal {
        let status = status_changes.then_some(next.status);
        let task_state = task_changes.then_some(next.task(kind));
        match guards
            .iter_mut()
            .find(|g| g.status == status && g.task_state == task_state)
        {
            Some(guard) => guard.from.push(from),
            None => guards.push(Guard {
                from: vec![from],
                status,
                task_state,
            }),
        }
    }
    guards.sort_by_key(|g| std::cmp::Reverse(g.from.len()));
    guards
}

/// Records `cmd` on its task, as the status machine allows: the order as saved.
pub async fn record_task_event(
    ctx: &Ctx,
    cmd: RecordTaskEvent<'_>,
) -> Result<Order, TaskEventError> {
    let who = cmd.by;
    if who.role != Role::Courier {
        return Err(TaskEventError::CouriersOnly);
    }
    let (order_id, kind) = order::parse_task_id(cmd.task_id).ok_or(TaskEventError::NotFound)?;
    let now = timestamp(ctx.now());
    let details = event_details(&cmd, kind, &now)?;
    // An assignment's team is one of the courier's: one GetItem when it names one.
    if let (TaskEvent::Assigned, Some(team)) = (cmd.event, &cmd.team_id) {
        if !teams::is_team(ctx, who.courier_id.as_str(), team).await? {
            return Err(TaskEventError::Invalid {
                field: TaskField::TeamId,
                message: "is not one of your teams".into(),
            });
        }
    }
    let entry = TimelineEntry {
        at: now.clone(),
        what: format!(
            "{}_{}",
            kind.as_str(),
            serde_json::to_value(cmd.event)
                .unwrap_or_default()
                .as_str()
                .unwrap_or_default()
        ),
        by: actor(who),
        detail: cmd
            .notes
            .as_ref()
            .or(cmd.failure_reason.as_ref())
            .map(|n| n.to_string()),
    };
    let key = keys::order(who.courier_id.as_str(), &order_id);
    let guards = guards(kind, cmd.event);
    let write = |guard: &Guard, extra: Option<Cond>| {
        let mut update = details.clone();
        if let Some(status) = guard.status {
            update = update.set("status", status.as_str());
        }
        if let Some(state) = guard.task_state {
            update = update.set(&format!("{}.state", kind.as_str()), state.as_str());
        }
        let update = update
            .set("updatedAt", now.as_str())
            .append(
                "timeline",
                vec![serde_json::to_value(&entry).unwrap_or_default()],
            )
            .increment("version", 1);
        let mut cond = Cond::eq("courierId", who.courier_id.as_str()).and(guard.cond());
        if let Some(extra) = extra {
            cond = cond.and(extra);
        }
        (update, cond)
    };
    let first = guards.first().ok_or_else(|| {
        TaskEventError::NotAllowed("this event never applies to this task".into())
    })?;
    let (update, cond) = write(first, None);
    let old = match ctx.store.update(&key, &update, Some(cond)).await {
        Ok(saved) => return Ok(from_item::<Order>(saved)?),
        Err(StoreError::ConditionFailed { old }) => old,
        Err(e) => return Err(e.into()),
    };
    let old = old.ok_or(TaskEventError::NotFound)?;
    if old.get("courierId").and_then(Value::as_str) != Some(who.courier_id.as_str()) {
        return Err(TaskEventError::NotFound);
    }
    let order: Order = from_item(*old)?;
    // This very write, committed with its answer lost and retried by the SDK: the order's
    // last entry is ours (same time, event, author and note). Nothing to do again.
    if order.timeline.last() == Some(&entry) {
        return Ok(order);
    }
    let state = order.state();
    if let Err(e) = transition(state, Event::Task(kind, cmd.event)) {
        // The same event sent again (a dispatch system retrying one whose answer it lost),
        // with nothing recorded since: already done, answered as done, recorded once.
        if order
            .timeline
            .last()
            .is_some_and(|last| last.what == entry.what)
        {
            return Ok(order);
        }
        return Err(TaskEventError::NotAllowed(e.to_string()));
    }
    let guard = guards
        .iter()
        .find(|g| g.from.contains(&state))
        .ok_or_else(|| TaskEventError::NotAllowed("the order cannot take this event now".into()))?;
    let (update, cond) = write(guard, Some(Cond::eq("version", order.version)));
    match ctx.store.update(&key, &update, Some(cond)).await {
        Ok(saved) => Ok(from_item::<Order>(saved)?),
        Err(StoreError::ConditionFailed { .. }) => Err(TaskEventError::VersionConflict),
        Err(e) => Err(e.into()),
    }
}

/// What an event records on its task, beyond its state.
fn event_details(
    cmd: &RecordTaskEvent<'_>,
    kind: TaskKind,
    now: &str,
) -> Result<Update, TaskEventError> {
    let path = |field: &str| format!("{}.{field}", kind.as_str());
    let missing = |field: TaskField, why: &str| TaskEventError::Missing {
        field,
        message: why.into(),
    };
    let update = match &cmd.location {
        Some(position) => Update::new().set(
            &path("location"),
            serde_json::to_value(position).unwrap_or_default(),
        ),
        None => Update::new(),
    };
    Ok(match cmd.event {
        TaskEvent::Assigned => {
            let driver = cmd
                .driver
                .as_ref()
                .ok_or_else(|| missing(TaskField::Driver, "an assignment names its driver"))?;
            let driver = Driver {
                name: driver.name.to_string(),
                phone: driver.phone.clone(),
            };
            let update = update.set(
                &path("driver"),
                serde_json::to_value(driver).unwrap_or_default(),
            );
            match &cmd.team_id {
                Some(team) => update.set(&path("teamId"), team.as_str()),
                None => update,
            }
        }
        TaskEvent::Unassigned => update.remove(&path("driver")).remove(&path("eta")),
        TaskEvent::Started => update.set(&path("startedAt"), now),
        TaskEvent::Eta => {
            let eta = cmd.eta.ok_or_else(|| {
                missing(
                    TaskField::Eta,
                    "an ETA event gives the estimated arrival time",
                )
            })?;
            update.set(&path("eta"), timestamp(eta.with_timezone(&chrono::Utc)))
        }
        TaskEvent::Arrived => update.set(&path("arrivedAt"), now),
        TaskEvent::Completed => {
            let update = update.set(&path("completedAt"), now);
            match &cmd.proof {
                Some(proof) => {
                    if proof.photos.iter().any(|p| !is_photo_url(p)) {
                        return Err(TaskEventError::Invalid {
                            field: TaskField::ProofPhotos,
                            message: "must be http(s) URLs".into(),
                        });
                    }
                    update.set(
                        &path("proof"),
                        serde_json::to_value(proof).unwrap_or_default(),
                    )
                }
                None => update,
            }
        }
        TaskEvent::Failed => {
            let reason = cmd
                .failure_reason
                .as_ref()
                .ok_or_else(|| missing(TaskField::FailureReason, "a failure says why"))?;
            update.set(&path("failureReason"), reason.as_str())
        }
    })
}

/// A proof photo's address: http(s), at most 2,000 characters.
pub fn is_photo_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && url.len() <= 2000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order_machine::TaskEvent;

    #[test]
    fn the_guards_are_the_machine() {
        // For every reachable state and task event: exactly one guard applies when the
        // machine allows the event, it leads where the machine does, and none applies otherwise.
        for kind in [TaskKind::Pickup, TaskKind::Dropoff] {
            for event in TaskEvent::ALL {
                let guards = guards(kind, event);
                for &state in reachable_states() {
                    let applying: Vec<&Guard> =
                        guards.iter().filter(|g| g.from.contains(&state)).collect();
                    match transition(state, Event::Task(kind, event)) {
                        Ok(next) => {
                            assert_eq!(applying.len(), 1, "{kind:?} {event:?} from {state:?}");
                            assert_eq!(
                                applying[0].apply(state, kind),
                                next,
                                "{kind:?} {event:?} from {state:?}"
                            );
                        }
                        Err(_) => assert!(applying.is_empty(), "{kind:?} {event:?} from {state:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn the_usual_case_is_the_first_guard() {
        let placed = OrderState::new(OrderStatus::Placed);
        assert!(guards(TaskKind::Pickup, TaskEvent::Assigned)[0]
            .from
            .contains(&placed));
    }
}
