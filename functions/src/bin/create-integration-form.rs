//! POST /settings/api/integrations (the web portal) (`web::api_pages::create_integration_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_integration_form::main()
}
