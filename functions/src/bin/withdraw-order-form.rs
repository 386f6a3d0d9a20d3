//! POST /orders/{orderId}/withdraw (the web portal) (`web::order_edit_pages::withdraw_order_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::withdraw_order_form::main()
}
