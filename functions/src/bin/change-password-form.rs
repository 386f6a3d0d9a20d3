//! POST /settings/user/password (the web portal) (`web::account_pages::change_password_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::change_password_form::main()
}
