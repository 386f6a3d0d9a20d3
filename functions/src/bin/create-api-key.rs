//! POST /v1/api-keys: a new key for the caller's organisation (`api::api_keys::create_api_key`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_api_key::main()
}
