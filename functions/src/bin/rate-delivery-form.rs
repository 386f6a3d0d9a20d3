//! POST /track/{trackingToken}/rating (`api::tracking::rate_delivery_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::rate_delivery_form::main()
}
