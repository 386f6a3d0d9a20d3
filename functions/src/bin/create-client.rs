//! POST /v1/clients: the courier adds a client (`api::clients::create_client`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_client::main()
}
