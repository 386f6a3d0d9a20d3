//! POST /v1/tasks/{taskId}/events (`portal::functions`, "record-task-event").
//! Wiring only: the use case is found in `portal::functions` by this binary's name.

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_http(env!("CARGO_BIN_NAME")).await
}
