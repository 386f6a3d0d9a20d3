//! GET /track/{trackingToken} (public) (`api::tracking::tracking_page`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::tracking_page::main()
}
