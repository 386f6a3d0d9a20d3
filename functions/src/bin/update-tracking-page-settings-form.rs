//! POST /settings/tracking-page (the web portal) (`web::tracking_settings_pages::save_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_tracking_page_settings_form::main()
}
