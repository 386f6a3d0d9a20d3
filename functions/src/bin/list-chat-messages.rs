//! GET /v1/chat/messages (`api::chat::list_messages`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_chat_messages::main()
}
