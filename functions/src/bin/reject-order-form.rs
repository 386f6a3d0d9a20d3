//! POST /orders/{orderId}/reject (the web portal) (`web::courier_orders_pages::reject_order_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::reject_order_form::main()
}
