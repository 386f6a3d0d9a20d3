//! POST /rate-tables (the web portal) (`web::services_pages::create_rate_table_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_rate_table_form::main()
}
