//! POST /settings/teams (the web portal) (`web::teams_pages::create_team_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_team_form::main()
}
