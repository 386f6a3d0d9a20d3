//! Status fan-out on the table's DynamoDB stream (`portal::fanout::handle_stream`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::status_fanout::main()
}
