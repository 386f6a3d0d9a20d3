//! Inbound SMS from the two-way SMS topic: STOP / START / HELP (`portal::fanout::inbound`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::sms_inbound::main()
}
