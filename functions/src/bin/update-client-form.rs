//! POST /clients/{clientId} (the web portal): a client's changes saved (`web::clients_pages::update_client_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_client_form::main()
}
