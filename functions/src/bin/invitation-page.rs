//! GET /invitations/{token} (the web portal) (`web::invitation_pages::invitation_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::invitation_page::main()
}
