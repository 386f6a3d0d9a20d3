//! PUT /v1/settings/notifications (`api::settings::put_notification_settings`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::put_notification_settings::main()
}
