//! POST /clients/{clientId}/invitation (the web portal): a client invited or re-invited (`web::clients_pages::invite_client_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::invite_client_form::main()
}
