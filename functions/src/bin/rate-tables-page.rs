//! GET /rate-tables (the web portal) (`web::services_pages::rate_tables_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::rate_tables_page::main()
}
