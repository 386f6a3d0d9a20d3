//! GET /v1/users: the people of the caller's organisation (`api::users::list_users`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_users::main()
}
