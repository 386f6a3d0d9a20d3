//! DELETE /v1/users/{userId}: removes a person from the caller's organisation and ends their sessions (`api::users::delete_user`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::delete_user::main()
}
