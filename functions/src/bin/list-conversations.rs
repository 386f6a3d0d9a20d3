//! GET /v1/chat/conversations (`api::chat::list_conversations`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_conversations::main()
}
