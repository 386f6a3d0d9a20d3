//! POST /email-confirmations/{token} (the web portal) (`web::email_confirmation_pages::confirm_email_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::confirm_email_form::main()
}
