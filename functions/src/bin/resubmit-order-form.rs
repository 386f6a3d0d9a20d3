//! POST /orders/{orderId}/resubmit (the web portal) (`web::resubmit_pages::resubmit_order_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::resubmit_order_form::main()
}
