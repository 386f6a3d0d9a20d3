//! POST /v1/orders/{orderId}/resubmit (`api::order_actions::resubmit_order`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::resubmit_order::main()
}
