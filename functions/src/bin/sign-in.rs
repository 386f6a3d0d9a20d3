//! POST /login (the web portal) (`web::sign_in_pages::sign_in_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::sign_in::main()
}
