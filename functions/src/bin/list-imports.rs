//! GET /v1/imports (`api::imports::list_imports`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::list_imports::main()
}
