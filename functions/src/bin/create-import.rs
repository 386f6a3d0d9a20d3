//! POST /v1/imports (`api::imports::create_import`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_import::main()
}
