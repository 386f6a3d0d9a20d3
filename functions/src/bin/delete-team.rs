//! DELETE /v1/teams/{teamId} (`api::teams::delete_team`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_team::main()
}
