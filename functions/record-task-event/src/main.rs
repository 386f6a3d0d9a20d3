//! POST /v1/tasks/{taskId}/events (`api::task_events::record_task_event`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::task_events::record_task_event, NEEDS).await
}
