//! GET /orders/{orderId} (the web portal) (`web::orders_pages::order_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::order_page::main()
}
