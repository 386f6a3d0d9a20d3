//! POST /v1/tasks/{taskId}/events (`api::task_events::record_task_event`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::record_task_event::main()
}
