//! GET /orders/new (the web portal) (`web::new_order_pages::new_order_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::new_order_page::main()
}
