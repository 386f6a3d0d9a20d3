//! GET /v1/clients: the courier's clients, newest first (`api::clients::list_clients`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_clients::main()
}
