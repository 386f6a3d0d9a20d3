//! DELETE /v1/api-keys/{keyId}: revokes a key at once (`api::api_keys::revoke_api_key`).
//! Wiring only: the use case is found in `portal::functions` by this binary's name.

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_http(env!("CARGO_BIN_NAME")).await
}
