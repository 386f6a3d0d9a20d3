//! GET /v1/teams (`api::teams::list_teams`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_teams::main()
}
