//! GET /orders (the web portal) (`web::orders_pages::orders_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::orders_page::main()
}
