//! GET /settings/tracking-page (the web portal) (`web::tracking_settings_pages::page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::tracking_page_settings_page::main()
}
