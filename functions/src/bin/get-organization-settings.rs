//! GET /v1/settings/organization (`api::organization::get_organization_settings`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_organization_settings::main()
}
