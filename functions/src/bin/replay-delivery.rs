//! POST /v1/integrations/{integrationId}/deliveries/{deliveryId}/replay (`api::deliveries::replay_delivery`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::replay_delivery::main()
}
