//! GET /v1/api-keys: the caller's keys, prefix and label only (`api::api_keys::list_api_keys`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_api_keys::main()
}
