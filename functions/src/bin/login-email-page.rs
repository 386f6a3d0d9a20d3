//! GET /login-email/{token} (the web portal) (`web::account_pages::login_email_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::login_email_page::main()
}
