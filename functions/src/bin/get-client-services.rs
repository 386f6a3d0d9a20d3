//! GET /v1/clients/{clientId}/services (`api::client_services::get_client_services`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_client_services::main()
}
