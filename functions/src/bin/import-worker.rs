//! On the table's stream: writes a large import's rows, a slice per step
//! (`portal::imports::worker`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::import_worker::main()
}
