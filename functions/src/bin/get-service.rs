//! GET /v1/services/{serviceId} (`api::services::get_service`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_service::main()
}
