//! POST /services/{serviceId} (the web portal) (`web::services_pages::update_service_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_service_form::main()
}
