//! POST /clients/{clientId}/integrations/{integrationId}/deliveries/{deliveryId}/replay (the web portal): a client's webhook delivery replayed (`web::clients_pages::replay_client_delivery_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::replay_client_delivery_form::main()
}
