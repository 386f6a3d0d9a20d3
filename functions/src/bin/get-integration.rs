//! GET /v1/integrations/{integrationId} (`api::integrations::get_integration`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_integration::main()
}
