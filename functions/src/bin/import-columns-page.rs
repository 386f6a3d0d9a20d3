//! GET /imports/columns (the web portal): what each column of an imported sheet means (`web::import_columns_pages::import_columns_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::import_columns_page::main()
}
