//! GET /v1/clients/{clientId} (`api::clients::get_client`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_client::main()
}
