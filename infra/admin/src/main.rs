//! `portal-admin`: what the operator of a deployment runs.
//!
//! `portal-admin create-courier --name NAME --email EMAIL` creates a courier organisation with
//! its first user (who signs in with EMAIL) and prints JSON with its id, first API key and
//! the user's set-password link (valid 7 days; also emailed to the outbox of a data dir). It works on the embedded data directory
//! (`--data-dir`, default `.data`) or, when `TABLE_NAME` is set and no `--data-dir` is given,
//! on DynamoDB (with the usual AWS environment; `AWS_ENDPOINT_URL` for moto server).
//!
//! `portal-admin password-link --email EMAIL` prints a new set-password link for a person
//! (valid 7 days; not emailed), on the same stores.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use portal::clock::SystemClock;
use portal::ctx::Config;
use portal::notify::Outbox;
use portal::store::embedded::EmbeddedStore;
use portal::Ctx;

#[derive(Parser)]
#[command(
    name = "portal-admin",
    about = "Operator commands for the courier client portal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a courier organisation and prints its id and first API key as JSON.
    CreateCourier {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// IANA time zone the courier works in.
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// Use the embedded store in this directory (the local portal's --data-dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The portal's address, for the first user's set-password link.
        #[arg(long, env = "PUBLIC_BASE_URL", default_value = "http://127.0.0.1:3000")]
        portal_url: String,
    },
    /// Prints a new set-password link for a person (valid 7 days, not emailed): for someone
    /// who lost theirs, or the local portal's demo people.
    PasswordLink {
        /// The email the person signs in with.
        #[arg(long)]
        email: String,
        /// Use the embedded store in this directory (the local portal's --data-dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The portal's address, for the link.
        #[arg(long, env = "PUBLIC_BASE_URL", default_value = "http://127.0.0.1:3000")]
        portal_url: String,
    },
    /// Creates the DynamoDB table as template.yaml defines it (for moto server or a sandbox).
    CreateTable {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
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

async fn run(cli: Cli) -> Result<serde_json::Value, String> {
    match cli.command {
        Command::CreateCourier {
            name,
            email,
            timezone,
            data_dir,
            portal_url,
        } => {
            let ctx = context(data_dir).await?;
            let created = portal::api::couriers::create_courier_with_user(
                &ctx,
                &name,
                &email,
                &timezone,
                &portal_url,
            )
            .await
            .map_err(|e| match e.field() {
                Some(field) => format!("--{field}: {e}"),
                None => e.to_string(),
            })?;
            let courier = created.courier;
            Ok(serde_json::json!({
                "courierId": courier.id, "name": courier.name, "email": courier.email,
                "timezone": courier.timezone, "apiKey": created.key.secret,
                "userId": created.user_id, "setPasswordLink": created.set_password_link,
                "setPasswordLinkEmailed": created.emailed,
            }))
        }
        Command::PasswordLink {
            email,
            data_dir,
            portal_url,
        } => {
            let ctx = context(data_dir).await?;
            let email =
                portal::domain::Email::parse(&email).map_err(|e| format!("--email: {e}"))?;
            let user = portal::accounts::users::user_by_email(&ctx, &email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("--email: nobody signs in with {email}"))?;
            let link = portal::accounts::password_reset::setup_link(&ctx, &user, &portal_url)
                .await
                .map_err(|e| e.to_string())?;
            Ok(serde_json::json!({
                "email": user.email, "userId": user.user_id, "setPasswordLink": link,
            }))
        }
        Command::CreateTable { table } => {
            // The SDK crates carry no default HTTP client: the project's own (rustls on ring).
            let aws = portal::aws::sdk_config().await?;
            let template = portal_local::Template::built_in();
            portal_local::table::create_table(
                &aws_sdk_dynamodb::Client::new(&aws),
                &table,
                &template.table,
            )
            .await?;
            Ok(serde_json::json!({ "table": table, "created": true }))
        }
    }
}

/// The embedded store when a data directory is given or no table is configured.
async fn context(data_dir: Option<PathBuf>) -> Result<Ctx, String> {
    let table = std::env::var("TABLE_NAME").ok().filter(|t| !t.is_empty());
    if data_dir.is_none() && table.is_some() {
        return Ctx::from_aws_env(portal::Needs::STORE).await;
    }
    let dir = data_dir.unwrap_or_else(|| PathBuf::from(".data"));
    let store = EmbeddedStore::open(&dir).map_err(|e| e.to_string())?;
    let outbox = Outbox::new(store.clone());
    Ok(Ctx {
        store: Arc::new(store),
        mailer: Some(Arc::new(outbox.clone())),
        sms: Some(Arc::new(outbox)),
        clock: Arc::new(SystemClock),
        config: Config::from_env()?,
    })
}
