//! The order status machine: one pure function of (state, event). Every order change in
//! the API goes through it; the task-event writes are checked against it exhaustively.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    Placed,
    Scheduled,
    InProgress,
    Completed,
    Failed,
    Rejected,
    Withdrawn,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Draft,
        OrderStatus::Placed,
        OrderStatus::Scheduled,
        OrderStatus::InProgress,
        OrderStatus::Completed,
        OrderStatus::Failed,
        OrderStatus::Rejected,
        OrderStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Placed => "placed",
            OrderStatus::Scheduled => "scheduled",
            OrderStatus::InProgress => "in_progress",
            OrderStatus::Completed => "completed",
            OrderStatus::Failed => "failed",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Unassigned,
    Assigned,
    Active,
    Completed,
    Failed,
}

impl TaskState {
    pub const ALL: [TaskState; 5] = [
        TaskState::Unassigned,
        TaskState::Assigned,
        TaskState::Active,
        TaskState::Completed,
        TaskState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Unassigned => "unassigned",
            TaskState::Assigned => "assigned",
            TaskState::Active => "active",
            TaskState::Completed => "completed",
            TaskState::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Pickup,
    Dropoff,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Pickup => "pickup",
            TaskKind::Dropoff => "dropoff",
        }
    }
}

/// What dispatch reports about a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskEvent {
    Assigned,
    Unassigned,
    Started,
    Eta,
    Arrived,
    Completed,
    Failed,
}

impl TaskEvent {
    pub const ALL: [TaskEvent; 7] = [
        TaskEvent::Assigned,
        TaskEvent::Unassigned,
        TaskEvent::Started,
        TaskEvent::Eta,
        TaskEvent::Arrived,
        TaskEvent::Completed,
        TaskEvent::Failed,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// The client (or courier) sends a draft.
    Finalize,
    /// The courier refuses the order.
    Reject,
    /// The client sends a rejected order again.
    Resubmit,
    /// The client takes the order back.
    Withdraw,
    /// The client edits the order.
    Edit,
    Task(TaskKind, TaskEvent),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderState {
    pub status: OrderStatus,
    pub pickup: TaskState,
    pub dropoff: TaskState,
}

impl OrderState {
    pub fn new(status: OrderStatus) -> Self {
        Self {
            status,
            pickup: TaskState::Unassigned,
            dropoff: TaskState::Unassigned,
        }
    }

    pub fn task(&self, kind: TaskKind) -> TaskState {
        match kind {
            TaskKind::Pickup => self.pickup,
            TaskKind::Dropoff => self.dropoff,
        }
    }

    fn with_task(mut self, kind: TaskKind, state: TaskState) -> Self {
        match kind {
            TaskKind::Pickup => self.pickup = state,
            TaskKind::Dropoff => self.dropoff = state,
        }
        self
    }

    fn with_status(mut self, status: OrderStatus) -> Self {
        self.status = status;
        self
    }

    /// Whether the pickup has started (edits and rejection end there).
    pub fn pickup_started(&self) -> bool {
        matches!(
            self.pickup,
            TaskState::Active | TaskState::Completed | TaskState::Failed
        )
    }

    /// The states an order can be in at all (what the property test checks against).
    pub fn is_consistent(&self) -> bool {
        use OrderStatus as S;
        use TaskState as T;
        let (p, d) = (self.pickup, self.dropoff);
        match self.status {
            S::Draft | S::Placed | S::Rejected | S::Withdrawn => {
                p == T::Unassigned && d == T::Unassigned
            }
            S::Scheduled => {
                matches!(p, T::Unassigned | T::Assigned)
                    && matches!(d, T::Unassigned | T::Assigned)
                    && (p == T::Assigned || d == T::Assigned)
            }
            S::InProgress => {
                matches!(p, T::Active | T::Completed)
                    && matches!(d, T::Unassigned | T::Assigned | T::Active)
                    && (d != T::Active || p == T::Completed)
            }
            S::Completed => p == T::Completed && d == T::Completed,
            S::Failed => p == T::Failed || d == T::Failed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not allowed while the order is {status}")]
pub struct Illegal {
    pub status: &'static str,
    pub event: String,
}

/// The next state, or why the event is not allowed now.
pub fn transition(state: OrderState, event: Event) -> Result<OrderState, Illegal> {
    use OrderStatus::*;
    use TaskState as T;
    let illegal = || Illegal {
        status: state.status.as_str(),
        event: describe(event),
    };
    let s = state.status;
    let next = match event {
        Event::Finalize if s == Draft => state.with_status(Placed),
        Event::Reject if matches!(s, Placed | Scheduled) => OrderState::new(Rejected),
        Event::Resubmit if s == Rejected => OrderState::new(Placed),
        Event::Withdraw if matches!(s, Draft | Placed | Rejected) => OrderState::new(Withdrawn),
        Event::Edit if matches!(s, Draft | Placed | Scheduled | Rejected) => state,
        Event::Task(kind, task_event) => {
            let task = state.task(kind);
            let other = state.task(match kind {
                TaskKind::Pickup => TaskKind::Dropoff,
                TaskKind::Dropoff => TaskKind::Pickup,
            });
            match task_event {
                TaskEvent::Assigned if matches!(task, T::Unassigned | T::Assigned) => match s {
                    Placed | Scheduled => state.with_task(kind, T::Assigned).with_status(Scheduled),
                    InProgress if kind == TaskKind::Dropoff => state.with_task(kind, T::Assigned),
                    _ => return Err(illegal()),
                },
                TaskEvent::Unassigned if task == T::Assigned => match s {
                    Scheduled if other == T::Assigned => state.with_task(kind, T::Unassigned),
                    Scheduled => state.with_task(kind, T::Unassigned).with_status(Placed),
                    InProgress => state.with_task(kind, T::Unassigned),
                    _ => return Err(illegal()),
                },
                TaskEvent::Started => match kind {
                    TaskKind::Pickup if task == T::Assigned && s == Scheduled => {
                        state.with_task(kind, T::Active).with_status(InProgress)
                    }
                    TaskKind::Dropoff
                        if task == T::Assigned && other == T::Completed && s == InProgress =>
                    {
                        state.with_task(kind, T::Active)
                    }
                    _ => return Err(illegal()),
                },
                TaskEvent::Eta
                    if matches!(task, T::Assigned | T::Active)
                        && matches!(s, Scheduled | InProgress) =>
                {
                    state
                }
                TaskEvent::Arrived if task == T::Active && s == InProgress => state,
                TaskEvent::Completed if task == T::Active && s == InProgress => match kind {
                    TaskKind::Pickup => state.with_task(kind, T::Completed),
                    TaskKind::Dropoff => state.with_task(kind, T::Completed).with_status(Completed),
                },
                TaskEvent::Failed
                    if matches!(task, T::Assigned | T::Active)
                        && matches!(s, Scheduled | InProgress) =>
                {
                    state.with_task(kind, T::Failed).with_status(Failed)
                }
                _ => return Err(illegal()),
            }
        }
        _ => return Err(illegal()),
    };
    Ok(next)
}

fn describe(event: Event) -> String {
    match event {
        Event::Finalize => "finalizing".into(),
        Event::Reject => "rejecting".into(),
        Event::Resubmit => "resubmitting".into(),
        Event::Withdraw => "withdrawing".into(),
        Event::Edit => "editing".into(),
        Event::Task(kind, e) => format!(
            "{} on the {}",
            serde_json::to_value(e)
                .unwrap_or_default()
                .as_str()
                .unwrap_or(""),
            kind.as_str()
        ),
    }
}

/// Every state any sequence of events can reach from a new order (draft or placed),
/// worked out once per process.
pub fn reachable_states() -> &'static [OrderState] {
    static REACHABLE: std::sync::LazyLock<Vec<OrderState>> = std::sync::LazyLock::new(|| {
        let mut seen = vec![
            OrderState::new(OrderStatus::Draft),
            OrderState::new(OrderStatus::Placed),
        ];
        let mut i = 0;
        while i < seen.len() {
            for event in all_events() {
                if let Ok(next) = transition(seen[i], event) {
                    if !seen.contains(&next) {
                        seen.push(next);
                    }
                }
            }
            i += 1;
        }
        seen
    });
    &REACHABLE
}

pub fn all_events() -> Vec<Event> {
    let mut events = vec![
        Event::Finalize,
        Event::Reject,
        Event::Resubmit,
        Event::Withdraw,
        Event::Edit,
    ];
    for kind in [TaskKind::Pickup, TaskKind::Dropoff] {
        events.extend(TaskEvent::ALL.iter().map(|e| Event::Task(kind, *e)));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    fn run(events: &[Event]) -> Result<OrderState, Illegal> {
        events
            .iter()
            .try_fold(OrderState::new(Placed), |s, e| transition(s, *e))
    }

    #[test]
    fn the_happy_path_reaches_completed() {
        use TaskEvent::*;
        use TaskKind::*;
        let done = run(&[
            Event::Task(Pickup, Assigned),
            Event::Task(Dropoff, Assigned),
            Event::Task(Pickup, Started),
            Event::Task(Pickup, Arrived),
            Event::Task(Pickup, Completed),
            Event::Task(Dropoff, Started),
            Event::Task(Dropoff, Eta),
            Event::Task(Dropoff, Completed),
        ])
        .unwrap();
        assert_eq!(done.status, OrderStatus::Completed);
    }

    #[test]
    fn rejection_ends_at_the_pickup_and_resubmission_returns_to_placed() {
        use TaskEvent::*;
        let rejected = run(&[Event::Task(TaskKind::Pickup, Assigned), Event::Reject]).unwrap();
        assert_eq!(rejected, OrderState::new(Rejected));
        assert_eq!(
            transition(rejected, Event::Resubmit).unwrap().status,
            Placed
        );
        let started = run(&[
            Event::Task(TaskKind::Pickup, Assigned),
            Event::Task(TaskKind::Pickup, Started),
        ])
        .unwrap();
        for late in [Event::Reject, Event::Withdraw, Event::Edit] {
            assert!(transition(started, late).is_err(), "{late:?}");
        }
        assert!(transition(OrderState::new(Withdrawn), Event::Reject).is_err());
        assert!(transition(OrderState::new(OrderStatus::Completed), Event::Reject).is_err());
    }

    #[test]
    fn every_state_and_event_is_decided_and_consistent() {
        // Exhaustive over all 8×5×5 states and 19 events: a legal event from a consistent
        // state always leads to a consistent state.
        for status in OrderStatus::ALL {
            for pickup in TaskState::ALL {
                for dropoff in TaskState::ALL {
                    let state = OrderState {
                        status,
                        pickup,
                        dropoff,
                    };
                    for event in all_events() {
                        if let Ok(next) = transition(state, event) {
                            if state.is_consistent() {
                                assert!(next.is_consistent(), "{state:?} --{event:?}--> {next:?}");
                            }
                        }
                    }
                }
            }
        }
        let reachable = reachable_states();
        assert!(reachable.iter().all(OrderState::is_consistent));
        assert!(
            reachable.iter().any(|s| s.status == Completed)
                && reachable.iter().any(|s| s.status == Failed)
        );
    }

    mod property {
        use super::super::*;
        use proptest::prelude::*;

        fn any_event() -> impl Strategy<Value = Event> {
            proptest::sample::select(all_events())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// No sequence of events, legal or not, reaches a state the machine does not allow,
            /// and the version (one more per accepted event) only grows.
            #[test]
            fn random_event_sequences_stay_in_allowed_states(
                start_as_draft in any::<bool>(),
                events in proptest::collection::vec(any_event(), 0..60),
            ) {
                let mut state = OrderState::new(if start_as_draft { OrderStatus::Draft } else { OrderStatus::Placed });
                let mut version = 1u64;
                let reachable = reachable_states();
                for event in events {
                    match transition(state, event) {
                        Ok(next) => {
                            prop_assert!(next.is_consistent(), "{:?} --{:?}--> {:?}", state, event, next);
                            prop_assert!(reachable.contains(&next));
                            let before = version;
                            version += 1;
                            prop_assert!(version > before);
                            state = next;
                        }
                        Err(_) => prop_assert!(reachable.contains(&state)),
                    }
                    // Terminal states accept no further change.
                    if matches!(state.status, OrderStatus::Completed | OrderStatus::Failed | OrderStatus::Withdrawn) {
                        for e in all_events() {
                            prop_assert!(transition(state, e).is_err(), "{:?} accepted {:?}", state, e);
                        }
                    }
                }
            }
        }
    }
}
