//! `POST /v1/tasks/{taskId}/location`: a driver's frequent positions, taken cheaply. Each
//! is ONE conditional PutItem of a small item beside the order (`keys::driver_position`),
//! never the order itself: no version, no timeline entry, no notification, and no change
//! the status fan-out's stream filter lets through (its filter takes `ORDER#` keys only).
//! A position older than the one kept is ignored (the condition on `at`), so positions
//! that arrive out of order leave the latest. The item expires after two days.

use serde::Serialize;

use crate::domain::api_key::{Principal, Role};
use crate::domain::order;
use crate::domain::position::Position;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Store, StoreError, PK};
use crate::Ctx;

use super::TaskEventError;

/// How long a position is kept: long after its delivery is done.
const KEEP_DAYS: i64 = 2;

#[derive(Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredPosition {
    #[serde(flatten)]
    position: Position,
    #[serde(default)]
    ttl: i64,
}

/// Whether a position became the task's latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Latest,
    /// A later position is kept already: this one changed nothing.
    Older,
}

/// Keeps `position` as the latest of the task's driver (the caller's own orders only: the
/// key is under the calling courier's partition). One PutItem; no read. A task id that is
/// not one is 404; an order that does not exist only gets a position that nothing reads
/// and that expires.
pub async fn record_position(
    ctx: &Ctx,
    by: &Principal,
    task_id: &str,
    position: Position,
) -> Result<Recorded, TaskEventError> {
    if by.role != Role::Courier {
        return Err(TaskEventError::CouriersOnly);
    }
    let (order_id, kind) = order::parse_task_id(task_id).ok_or(TaskEventError::NotFound)?;
    let key = keys::driver_position(by.courier_id.as_str(), &order_id, kind.as_str());
    let at = position.at.clone();
    let stored = StoredPosition {
        position,
        ttl: (ctx.now() + chrono::Duration::days(KEEP_DAYS)).timestamp(),
    };
    let item = to_item(&stored, &key, "DriverPosition")?;
    let cond = Cond::Or(vec![Cond::not_exists(PK), Cond::lt("at", at.as_str())]);
    match ctx.store.put(item, Some(cond)).await {
        Ok(()) => Ok(Recorded::Latest),
        Err(StoreError::ConditionFailed { .. }) => Ok(Recorded::Older),
        Err(e) => Err(e.into()),
    }
}

/// The latest position kept for a task (its item), if any, and not expired.
pub fn position_of(
    item: Option<crate::store::Item>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Position> {
    let stored: StoredPosition = from_item(item?).ok()?;
    (stored.ttl == 0 || stored.ttl > now.timestamp()).then_some(stored.position)
}

/// The latest position of a task's driver (one GetItem).
pub async fn latest_position(
    store: &dyn Store,
    courier_id: &str,
    order_id: &str,
    kind: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Position>, StoreError> {
    let item = store
        .get(&keys::driver_position(courier_id, order_id, kind))
        .await?;
    Ok(position_of(item, now))
}
