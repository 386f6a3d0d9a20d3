//! POST /v1/services (`api::services::create_service`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_service::main()
}
