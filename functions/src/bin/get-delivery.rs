//! GET /v1/integrations/{integrationId}/deliveries/{deliveryId} (`api::deliveries::get_delivery`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_delivery::main()
}
