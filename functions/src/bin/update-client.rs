//! PATCH /v1/clients/{clientId} (`api::clients::update_client`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_client::main()
}
