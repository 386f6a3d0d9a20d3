//! GET /rate-tables/{rateTableId} (the web portal) (`web::services_pages::rate_table_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::rate_table_page::main()
}
