//! `POST /v1/tasks/{taskId}/events`: progress from the courier's dispatch system.
//!
//! Each event is one conditional UpdateItem, with no read before it. The update's guards
//! are derived from the status machine: every state in which the event is legal, grouped
//! by what the event sets. The first guard covers the usual case; when the order is in a
//! state another guard covers, DynamoDB's `ALL_OLD` on the failed condition tells which,
//! and one more write applies it. An event the machine refuses is 409 after one call. An
//! assignment that names a team reads the team first (it must be one of the courier's).

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::records::from_item;
use crate::clock::timestamp;
use crate::domain::order::{self, Driver, Order, Proof, TimelineEntry};
use crate::domain::order_machine::{
    reachable_states, transition, Event, OrderState, OrderStatus, TaskEvent, TaskKind, TaskState,
};
use crate::domain::text::Notes;
use crate::domain::{Name, Phone, TeamId};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::changes::actor;
use crate::store::{keys, Cond, StoreError, Update};
use crate::teams;
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TaskEventBody {
    #[serde(rename = "type")]
    event: TaskEvent,
    #[serde(default)]
    driver: Option<DriverBody>,
    #[serde(default)]
    team_id: Option<TeamId>,
    #[serde(default)]
    eta: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    proof: Option<Proof>,
    #[serde(default)]
    notes: Option<Notes>,
    #[serde(default)]
    failure_reason: Option<Notes>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DriverBody {
    name: Name,
    #[serde(default)]
    phone: Option<Phone>,
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

pub async fn record_task_event(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let (order_id, kind) =
        order::parse_task_id(req.path_param("taskId")?).ok_or(ApiError::NotFound("task"))?;
    let body: TaskEventBody = req.json()?;
    let now = timestamp(ctx.now());
    let details = event_details(&body, kind, &now)?;
    // An assignment's team is one of the courier's: one GetItem when it names one.
    if let (TaskEvent::Assigned, Some(team)) = (body.event, &body.team_id) {
        if !teams::is_team(ctx, who.courier_id.as_str(), team).await? {
            return Err(ApiError::invalid("teamId", "is not one of your teams"));
        }
    }
    let entry = TimelineEntry {
        at: now.clone(),
        what: format!(
            "{}_{}",
            kind.as_str(),
            serde_json::to_value(body.event)
                .unwrap_or_default()
                .as_str()
                .unwrap_or_default()
        ),
        by: actor(who),
        detail: body
            .notes
            .as_ref()
            .or(body.failure_reason.as_ref())
            .map(|n| n.to_string()),
    };
    let key = keys::order(who.courier_id.as_str(), &order_id);
    let guards = guards(kind, body.event);
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
        ApiError::conflict("invalid_state", "this event never applies to this task")
    })?;
    let (update, cond) = write(first, None);
    let old = match ctx.store.update(&key, &update, Some(cond)).await {
        Ok(saved) => return Ok(ApiResponse::ok(&from_item::<Order>(saved)?.view())),
        Err(StoreError::ConditionFailed { old }) => old,
        Err(e) => return Err(e.into()),
    };
    let old = old.ok_or(ApiError::NotFound("task"))?;
    if old.get("courierId").and_then(Value::as_str) != Some(who.courier_id.as_str()) {
        return Err(ApiError::NotFound("task"));
    }
    let order: Order = from_item(*old)?;
    let state = order.state();
    transition(state, Event::Task(kind, body.event))
        .map_err(|e| ApiError::conflict("invalid_state", e.to_string()))?;
    let guard = guards
        .iter()
        .find(|g| g.from.contains(&state))
        .ok_or_else(|| {
            ApiError::conflict("invalid_state", "the order cannot take this event now")
        })?;
    let (update, cond) = write(guard, Some(Cond::eq("version", order.version)));
    match ctx.store.update(&key, &update, Some(cond)).await {
        Ok(saved) => Ok(ApiResponse::ok(&from_item::<Order>(saved)?.view())),
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::conflict(
            "version_conflict",
            "the order changed at the same time; send the event again",
        )),
        Err(e) => Err(e.into()),
    }
}

/// What an event records on its task, beyond its state.
fn event_details(body: &TaskEventBody, kind: TaskKind, now: &str) -> Result<Update, ApiError> {
    let path = |field: &str| format!("{}.{field}", kind.as_str());
    let missing = |field: &str, why: &str| ApiError::Invalid {
        code: "missing_field",
        field: field.into(),
        message: why.into(),
    };
    let update = Update::new();
    Ok(match body.event {
        TaskEvent::Assigned => {
            let driver = body
                .driver
                .as_ref()
                .ok_or_else(|| missing("driver", "an assignment names its driver"))?;
            let driver = Driver {
                name: driver.name.to_string(),
                phone: driver.phone.clone(),
            };
            let update = update.set(
                &path("driver"),
                serde_json::to_value(driver).unwrap_or_default(),
            );
            match &body.team_id {
                Some(team) => update.set(&path("teamId"), team.as_str()),
                None => update,
            }
        }
        TaskEvent::Unassigned => update.remove(&path("driver")).remove(&path("eta")),
        TaskEvent::Started => update.set(&path("startedAt"), now),
        TaskEvent::Eta => {
            let eta = body
                .eta
                .ok_or_else(|| missing("eta", "an ETA event gives the estimated arrival time"))?;
            update.set(&path("eta"), timestamp(eta.with_timezone(&chrono::Utc)))
        }
        TaskEvent::Arrived => update.set(&path("arrivedAt"), now),
        TaskEvent::Completed => {
            let update = update.set(&path("completedAt"), now);
            match &body.proof {
                Some(proof) => {
                    if proof.photos.iter().any(|p| {
                        !(p.starts_with("https://") || p.starts_with("http://")) || p.len() > 2000
                    }) {
                        return Err(ApiError::invalid("proof.photos", "must be http(s) URLs"));
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
            let reason = body
                .failure_reason
                .as_ref()
                .ok_or_else(|| missing("failureReason", "a failure says why"))?;
            update.set(&path("failureReason"), reason.as_str())
        }
    })
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
