//! `POST /v1/tasks/{taskId}/events`: progress from the courier's dispatch system. The HTTP
//! adapter onto [`crate::dispatch::record_task_event`] (the order page's **Record progress**
//! forms run the same use case). `POST /v1/tasks/{taskId}/location`: the driver's frequent
//! positions, onto [`crate::dispatch::positions::record_position`] (one write, nothing else).

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use crate::dispatch::positions::{record_position, Recorded};
use crate::dispatch::{record_task_event as record, AssignedDriver, RecordTaskEvent};
use crate::domain::order::Proof;
use crate::domain::order_machine::TaskEvent;
use crate::domain::position::PositionInput;
use crate::domain::text::Notes;
use crate::domain::{Name, Phone, TeamId};
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskEventBody {
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
    /// The driver's position (`at` left out: now).
    #[serde(default)]
    location: Option<PositionInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DriverBody {
    name: Name,
    #[serde(default)]
    phone: Option<Phone>,
}

pub async fn record_task_event(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let task_id = req.path_param("taskId")?;
    let body: TaskEventBody = req.json()?;
    let cmd = RecordTaskEvent {
        by: who,
        task_id,
        event: body.event,
        driver: body.driver.map(|d| AssignedDriver {
            name: d.name,
            phone: d.phone,
        }),
        team_id: body.team_id,
        eta: body.eta,
        proof: body.proof,
        notes: body.notes,
        failure_reason: body.failure_reason,
        location: body.location.map(|p| p.at(ctx.now())),
    };
    let order = record(ctx, cmd).await?;
    Ok(ApiResponse::ok(&order.view()))
}

/// `POST /v1/tasks/{taskId}/location` with `{lat, lng, at?}`: 200 with the position and
/// whether it is now the task's latest (`false`: a later one was kept already).
pub async fn record_task_location(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let task_id = req.path_param("taskId")?;
    let body: PositionInput = req.json()?;
    let position = body.at(ctx.now());
    let recorded = record_position(ctx, who, task_id, position.clone()).await?;
    Ok(ApiResponse::ok(&serde_json::json!({
        "taskId": task_id,
        "location": position,
        "latest": recorded == Recorded::Latest,
    })))
}
