//! GET /v1/integrations (`api::integrations::list_integrations`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_integrations::main()
}
