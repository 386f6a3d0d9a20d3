//! POST /v1/chat/messages (`api::chat::post_message`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::post_chat_message::main()
}
