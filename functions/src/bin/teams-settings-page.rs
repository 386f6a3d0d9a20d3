//! GET /settings/teams (the web portal) (`web::teams_pages::teams_settings_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::teams_settings_page::main()
}
