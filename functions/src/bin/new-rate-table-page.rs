//! GET /rate-tables/new (the web portal) (`web::services_pages::new_rate_table_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::new_rate_table_page::main()
}
