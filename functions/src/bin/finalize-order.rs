//! POST /v1/orders/{orderId}/finalize (`api::order_actions::finalize_order`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::finalize_order::main()
}
