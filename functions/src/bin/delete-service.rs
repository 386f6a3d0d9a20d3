//! DELETE /v1/services/{serviceId} (`api::services::delete_service`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_service::main()
}
