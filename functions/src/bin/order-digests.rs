//! The order-digests schedule (`lambda::serve_order_digests`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::order_digests::main()
}
