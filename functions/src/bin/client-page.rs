//! GET /clients/{clientId} (the web portal): a client of the courier's (`web::clients_pages::client_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::client_page::main()
}
