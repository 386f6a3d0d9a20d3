//! GET /messages (`web::chat_pages::messages_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::messages_page::main()
}
