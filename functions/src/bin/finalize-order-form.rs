//! POST /orders/{orderId}/finalize (the web portal) (`web::drafts_pages::finalize_order_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::finalize_order_form::main()
}
