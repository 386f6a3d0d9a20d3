//! GET /services/new (the web portal) (`web::services_pages::new_service_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::new_service_page::main()
}
