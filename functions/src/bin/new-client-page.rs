//! GET /clients/new (the web portal): the new client form (`web::clients_pages::new_client_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::new_client_page::main()
}
