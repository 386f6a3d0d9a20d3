//! POST /settings/teams/{teamId} (the web portal) (`web::teams_pages::rename_team_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::rename_team_form::main()
}
