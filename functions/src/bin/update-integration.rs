//! PATCH /v1/integrations/{integrationId} (`api::integrations::update_integration`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_integration::main()
}
