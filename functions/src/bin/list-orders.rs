//! GET /v1/orders (`api::orders::list_orders`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_orders::main()
}
