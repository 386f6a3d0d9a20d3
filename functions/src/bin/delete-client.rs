//! DELETE /v1/clients/{clientId}: the client can no longer sign in (`api::clients::delete_client`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_client::main()
}
