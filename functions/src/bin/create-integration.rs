//! POST /v1/integrations (`api::integrations::create_integration`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_integration::main()
}
