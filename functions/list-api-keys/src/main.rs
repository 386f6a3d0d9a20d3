//! GET /v1/api-keys: the caller's keys, prefix and label only (`api::api_keys::list_api_keys`).
//! Wiring only: the use case is found in `portal::functions` by this binary's name.

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_http(env!("CARGO_BIN_NAME")).await
}
