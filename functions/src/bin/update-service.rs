//! PATCH /v1/services/{serviceId} (`api::services::update_service`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_service::main()
}
