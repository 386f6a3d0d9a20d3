//! POST /reset-password/{token} (the web portal) (`web::reset_pages::reset_password_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::reset_password_form::main()
}
