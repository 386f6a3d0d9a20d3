//! GET /v1/rate-tables (`api::rate_tables::list_rate_tables`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_rate_tables::main()
}
