//! GET /v1/settings/notifications (`api::settings::get_notification_settings`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_notification_settings::main()
}
