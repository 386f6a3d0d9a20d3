//! POST /v1/orders (`api::orders::create_order`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_order::main()
}
