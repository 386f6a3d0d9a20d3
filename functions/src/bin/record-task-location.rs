//! POST /v1/tasks/{taskId}/location (`api::task_events::record_task_location`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::record_task_location::main()
}
