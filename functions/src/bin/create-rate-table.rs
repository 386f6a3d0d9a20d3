//! POST /v1/rate-tables (`api::rate_tables::create_rate_table`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_rate_table::main()
}
