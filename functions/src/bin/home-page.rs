//! GET / (the web portal) (`web::home_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::home_page::main()
}
