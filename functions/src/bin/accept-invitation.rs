//! POST /v1/invitations/{token}/accept (public): activates the client, returns its first key (`api::invitations::accept_invitation`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::accept_invitation::main()
}
