//! POST /rate-tables/{rateTableId} (the web portal) (`web::services_pages::update_rate_table_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_rate_table_form::main()
}
