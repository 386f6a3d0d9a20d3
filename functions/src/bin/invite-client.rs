//! POST /v1/clients/{clientId}/invitation: emails a single-use invitation (`api::invitations::invite_client`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::invite_client::main()
}
