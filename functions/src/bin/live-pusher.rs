//! The live updates' pusher on the table's stream (`lambda::serve_live_pusher`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::live_pusher::main()
}
