//! POST /tasks/{taskId}/events (the web portal) (`web::courier_orders_pages::record_task_event_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::record_task_event_form::main()
}
