//! PATCH /v1/settings/organization (`api::organization::update_organization_settings`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_organization_settings::main()
}
