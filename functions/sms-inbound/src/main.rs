//! Inbound SMS from the two-way SMS topic: STOP / START / HELP (`portal::fanout::inbound`).

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_sms_inbound().await
}
