//! GET /v1/orders/export (`api::export::export_orders`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::export_orders::main()
}
