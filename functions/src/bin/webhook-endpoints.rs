//! Outbound webhook endpoints: `/v1/webhook-endpoints` and its sub-routes (one function).
fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::webhook_endpoints::main()
}
