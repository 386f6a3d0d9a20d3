//! POST /settings/user (the web portal) (`web::account_pages::update_user_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_user_form::main()
}
