//! POST /invitations/{token} (the web portal) (`web::invitation_pages::accept_invitation_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::accept_invitation_form::main()
}
