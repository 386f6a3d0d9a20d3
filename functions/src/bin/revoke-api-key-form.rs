//! POST /settings/api/keys/{keyId}/revoke (the web portal) (`web::api_pages::revoke_api_key_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::revoke_api_key_form::main()
}
