//! GET /v1/services (`api::services::list_services`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_services::main()
}
