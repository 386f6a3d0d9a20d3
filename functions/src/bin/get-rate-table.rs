//! GET /v1/rate-tables/{rateTableId} (`api::rate_tables::get_rate_table`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_rate_table::main()
}
