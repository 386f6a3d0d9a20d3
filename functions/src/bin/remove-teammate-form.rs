//! POST /settings/team/{userId}/remove (the web portal) (`web::team_pages::remove_teammate_form`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::remove_teammate_form::main()
}
