//! POST /v1/orders/{orderId}/withdraw (`api::order_actions::withdraw_order`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::withdraw_order::main()
}
