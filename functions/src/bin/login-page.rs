//! GET /login (the web portal) (`web::sign_in_pages::login_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::login_page::main()
}
