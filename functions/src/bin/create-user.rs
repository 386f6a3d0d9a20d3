//! POST /v1/users: invites a person into the caller's organisation (emails a set-password link) (`api::users::create_user`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_user::main()
}
