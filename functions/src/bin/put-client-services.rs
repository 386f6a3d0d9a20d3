//! PUT /v1/clients/{clientId}/services (`api::client_services::put_client_services`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::put_client_services::main()
}
