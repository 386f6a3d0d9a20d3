//! POST /orders/{orderId}/edit (the web portal) (`web::order_edit_pages::edit_order_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::edit_order_form::main()
}
