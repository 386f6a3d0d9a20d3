//! POST /logout (the web portal) (`web::sign_in_pages::sign_out`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::sign_out::main()
}
