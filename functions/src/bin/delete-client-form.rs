//! POST /clients/{clientId}/delete (the web portal): a client deleted (`web::clients_pages::delete_client_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_client_form::main()
}
