//! Status fan-out on the table's DynamoDB stream (`portal::fanout::handle_stream`).

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_status_fanout().await
}
