//! POST /messages (`web::chat_pages::post_message_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::post_message_form::main()
}
