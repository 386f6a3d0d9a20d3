//! PATCH /v1/rate-tables/{rateTableId} (`api::rate_tables::update_rate_table`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_rate_table::main()
}
