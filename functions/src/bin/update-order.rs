//! PATCH /v1/orders/{orderId} (`api::orders::update_order`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_order::main()
}
