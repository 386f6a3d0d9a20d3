//! POST /v1/teams (`api::teams::create_team`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_team::main()
}
