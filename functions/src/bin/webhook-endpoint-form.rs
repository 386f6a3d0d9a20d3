//! The API & integrations page's webhook endpoint form (`POST /settings/api/webhooks`).
fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::webhook_endpoint_form::main()
}
