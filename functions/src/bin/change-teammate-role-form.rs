//! POST /settings/team/{userId}/role (the web portal) (`web::team_pages::change_teammate_role_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::change_teammate_role_form::main()
}
