//! POST /services (the web portal) (`web::services_pages::create_service_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_service_form::main()
}
