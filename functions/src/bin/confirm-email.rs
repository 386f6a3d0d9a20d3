//! POST /v1/email-confirmations/{token} (public): applies a pending email change (`api::email_confirmations::confirm_email`).

fn main() -> Result<(), portal::lambda::Error> {
    portal::functions::confirm_email::main()
}
