//! POST /v1/quotes (`api::quotes::create_quote`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::create_quote::main()
}
