//! POST /clients (the web portal): a new client (`web::clients_pages::create_client_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_client_form::main()
}
