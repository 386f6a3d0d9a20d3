//! The `webhook-deliveries` schedule: sends the outbound webhooks that are due.
fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::webhook_deliveries::main()
}
