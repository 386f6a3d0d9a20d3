//! The HTTP API's Lambda authorizer: resolves `Authorization: Bearer <key>` to the courier or
//! client that owns the key (`portal::lambda::authorizer_response`).

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_authorizer().await
}
