//! POST /login-email/{token} (the web portal) (`web::account_pages::confirm_login_email_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::confirm_login_email_form::main()
}
