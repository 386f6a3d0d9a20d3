//! GET /services/{serviceId} (the web portal) (`web::services_pages::service_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::service_page::main()
}
