//! POST /settings/teams/{teamId}/delete (the web portal) (`web::teams_pages::delete_team_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_team_form::main()
}
