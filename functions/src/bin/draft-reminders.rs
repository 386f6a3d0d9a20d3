//! Hourly: each client's morning email of its waiting drafts (`portal::reminders`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::draft_reminders::main()
}
