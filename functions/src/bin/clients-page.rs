//! GET /clients (the web portal): the courier's clients (`web::clients_pages::clients_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::clients_page::main()
}
