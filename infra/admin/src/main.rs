//! `portal-admin` (see the library's documentation for its commands).

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let env = portal_admin::Env::from_process();
    match portal_admin::run(portal_admin::Cli::parse(), &env).await {
        Ok(output) => {
            println!("{output:#}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("portal-admin: {message}");
            ExitCode::FAILURE
        }
    }
}
