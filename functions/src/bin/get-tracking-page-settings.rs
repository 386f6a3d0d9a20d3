//! GET /v1/settings/tracking-page (`api::settings::get_tracking_page_settings`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_tracking_page_settings::main()
}
