//! GET /v1/integrations/{integrationId}/deliveries (`api::deliveries::list_deliveries`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_deliveries::main()
}
