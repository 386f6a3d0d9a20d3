//! GET /settings/api (the web portal) (`web::api_pages::api_settings_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::api_settings_page::main()
}
