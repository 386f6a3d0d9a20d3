//! PATCH /v1/users/{userId}: changes a person's role in the caller's organisation (`api::users::update_user`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::update_user::main()
}
