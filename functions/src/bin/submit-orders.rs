//! POST /v1/orders/submit (`api::bulk_submit::submit_orders`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::submit_orders::main()
}
