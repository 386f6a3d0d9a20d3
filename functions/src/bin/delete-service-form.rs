//! POST /services/{serviceId}/delete (the web portal) (`web::services_pages::delete_service_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_service_form::main()
}
