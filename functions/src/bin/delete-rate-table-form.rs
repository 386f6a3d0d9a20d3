//! POST /rate-tables/{rateTableId}/delete (the web portal) (`web::services_pages::delete_rate_table_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_rate_table_form::main()
}
