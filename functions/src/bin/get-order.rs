//! GET /v1/orders/{orderId} (`api::orders::get_order`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_order::main()
}
