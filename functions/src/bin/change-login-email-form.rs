//! POST /settings/user/email (the web portal) (`web::account_pages::change_login_email_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::change_login_email_form::main()
}
