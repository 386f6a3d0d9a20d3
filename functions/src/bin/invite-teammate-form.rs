//! POST /settings/team (the web portal) (`web::team_pages::invite_teammate_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::invite_teammate_form::main()
}
