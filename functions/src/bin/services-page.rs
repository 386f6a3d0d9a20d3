//! GET /services (the web portal) (`web::services_pages::services_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::services_page::main()
}
