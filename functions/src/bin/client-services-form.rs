//! POST /clients/{clientId}/services (the web portal): a client's services and rate tables set (`web::clients_pages::client_services_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::client_services_form::main()
}
