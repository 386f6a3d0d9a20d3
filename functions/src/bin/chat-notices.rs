//! The chat-notices schedule (`lambda::serve_chat_notices`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::chat_notices::main()
}
