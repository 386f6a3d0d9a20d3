//! POST /v1/invitations/{token}/accept (public): activates the client, returns its first key (`api::invitations::accept_invitation`).
//! Wiring only: the use case is found in `portal::functions` by this binary's name.

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_http(env!("CARGO_BIN_NAME")).await
}
