//! DELETE /v1/rate-tables/{rateTableId} (`api::rate_tables::delete_rate_table`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_rate_table::main()
}
