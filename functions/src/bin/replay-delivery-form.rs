//! POST /settings/api/integrations/{integrationId}/deliveries/{deliveryId}/replay (the web portal) (`web::api_pages::replay_delivery_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::replay_delivery_form::main()
}
