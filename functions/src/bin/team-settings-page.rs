//! GET /settings/team (the web portal) (`web::team_pages::team_settings_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::team_settings_page::main()
}
