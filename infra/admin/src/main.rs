//! `portal-admin` (see the library's documentation for its commands).

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = portal_admin::Cli::parse();
    let result = match portal_admin::Env::from_process() {
        Ok(env) => portal_admin::run(cli, &env).await,
        Err(message) => Err(message),
    };
    match result {
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
