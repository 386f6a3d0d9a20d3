//! PATCH /v1/teams/{teamId} (`api::teams::update_team`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_team::main()
}
