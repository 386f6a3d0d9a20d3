//! The HTTP API's Lambda authorizer: resolves `Authorization: Bearer <key>` to the courier or

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::authorizer::main()
}
