//! POST /v1/orders/{orderId}/reject (`api::order_actions::reject_order`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::reject_order::main()
}
