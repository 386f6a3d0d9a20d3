//! POST /settings/organization (the web portal) (`web::settings_pages::save_organization_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_organization_settings_form::main()
}
