//! GET /settings/organization (the web portal) (`web::settings_pages::organization_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::organization_settings_page::main()
}
