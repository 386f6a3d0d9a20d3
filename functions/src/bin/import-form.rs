//! POST /imports (the web portal) (`web::imports_pages::import_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::import_form::main()
}
