//! GET /email-confirmations/{token} (the web portal) (`web::email_confirmation_pages::email_confirmation_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::email_confirmation_page::main()
}
