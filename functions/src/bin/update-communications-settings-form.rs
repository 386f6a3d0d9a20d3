//! POST /settings/communications (the web portal) (`web::communications_pages::save_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_communications_settings_form::main()
}
