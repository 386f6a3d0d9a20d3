//! GET /forgot-password (the web portal) (`web::reset_pages::forgot_password_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::forgot_password_page::main()
}
