//! GET /settings/communications (the web portal) (`web::communications_pages::page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::communications_settings_page::main()
}
