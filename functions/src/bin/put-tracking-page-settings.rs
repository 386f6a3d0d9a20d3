//! PUT /v1/settings/tracking-page (`api::settings::put_tracking_page_settings`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::put_tracking_page_settings::main()
}
