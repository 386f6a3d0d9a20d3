//! GET /imports (the web portal) (`web::imports_pages::imports_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::imports_page::main()
}
