//! POST /settings/api/keys (the web portal) (`web::api_pages::create_api_key_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_api_key_form::main()
}
