//! GET /settings/user (the web portal) (`web::account_pages::user_settings_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::user_settings_page::main()
}
