//! DELETE /v1/integrations/{integrationId} (`api::integrations::delete_integration`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_integration::main()
}
