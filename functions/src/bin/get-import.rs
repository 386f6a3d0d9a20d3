//! GET /v1/imports/{importId} (`api::imports::get_import`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::get_import::main()
}
