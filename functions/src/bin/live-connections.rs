//! The WebSocket API's `$connect`, `$disconnect` and `$default` routes: open pages' live
//! connections (`lambda::serve_live_connections`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::live_connections::main()
}
