//! POST /v1/integrations/{integrationId}/webhook (`api::webhook::receive_webhook`; public: the signature is the credential).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::integration_webhook::main()
}
