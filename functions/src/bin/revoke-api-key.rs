//! DELETE /v1/api-keys/{keyId}: revokes a key at once (`api::api_keys::revoke_api_key`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::revoke_api_key::main()
}
