//! GET /messages/{clientId} (`web::chat_pages::conversation_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::conversation_page::main()
}
