//! `portal-admin`: what the operator of a deployment runs.
//!
//! `portal-admin create-courier --name NAME --email EMAIL` creates a courier organisation with
//! its first user (who signs in with EMAIL) and prints JSON with its id, first API key and
//! the user's set-password link (valid 7 days; also emailed to the outbox of a data dir). It
//! works on the embedded data directory (`--data-dir`, default `.data`) or, when
//! `TABLE_NAME` is set and no `--data-dir` is given, on DynamoDB (with the usual AWS
//! environment; `AWS_ENDPOINT_URL` for moto server). On DynamoDB the link must open the
//! deployed portal: `--portal-url` (or `PUBLIC_BASE_URL`) is required there; the embedded
//! store defaults to the local portal, `http://127.0.0.1:3000`.
//!
//! `portal-admin password-link --email EMAIL` prints a new set-password link for a person
//! (valid 7 days; not emailed), on the same stores and with the same `--portal-url` rule.
//!
//! `portal-admin replay-notifications --from T --to T` sends again what the status fan-out
//! should have sent for the orders changed in the window (RFC 3339 times) and never did;
//! the send-once markers keep anything from going out twice. It reads the whole table
//! (a sequential Scan with a filter: no index orders orders by change time), so it is for
//! the rare recovery after an outage, not a routine job. On DynamoDB it sends as the
//! functions do: `SENDER_EMAIL` is required, and the SMS settings of the stack's functions
//! apply.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;

use portal::clock::SystemClock;
use portal::ctx::Config;
use portal::notify::Outbox;
use portal::store::dynamo::DynamoStore;
use portal::store::embedded::EmbeddedStore;
use portal::store::Scanner;
use portal::{Ctx, Needs};

/// The local portal's address: the embedded store's default for links.
pub const LOCAL_PORTAL_URL: &str = "http://127.0.0.1:3000";

#[derive(Parser)]
#[command(
    name = "portal-admin",
    about = "Operator commands for the courier client portal"
)]
pub struct Cli {
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
        /// The portal's address, for the first user's set-password link (default
        /// PUBLIC_BASE_URL; required on DynamoDB; the embedded store's default is
        /// http://127.0.0.1:3000).
        #[arg(long)]
        portal_url: Option<String>,
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
        /// The portal's address, for the link (as for create-courier).
        #[arg(long)]
        portal_url: Option<String>,
    },
    /// Creates the DynamoDB table as template.yaml defines it (for moto server or a sandbox).
    CreateTable {
        /// Default TABLE_NAME.
        #[arg(long)]
        table: Option<String>,
    },
    /// Sends the notifications (SMS, email) of the orders changed from --from to --to that
    /// never went out (a stream record given up on); nothing is sent twice. Reads the whole
    /// table page by page (a sequential Scan, keys only, billed on every item read): for a
    /// recovery after an outage, not a routine job. Prints JSON counts.
    ReplayNotifications {
        /// The window's start, RFC 3339 (2026-12-07T08:00:00Z).
        #[arg(long)]
        from: String,
        /// The window's end, RFC 3339 (inclusive).
        #[arg(long)]
        to: String,
        /// Use the embedded store in this directory (the local portal's --data-dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

/// What the commands read from the process's environment, passed in (tests give their own).
#[derive(Clone)]
pub struct Env {
    /// `TABLE_NAME`: DynamoDB when set and no `--data-dir` is given.
    pub table: Option<String>,
    /// `PUBLIC_BASE_URL`: the default of `--portal-url`.
    pub public_base_url: Option<String>,
    /// `SENDER_EMAIL` and the rest of the functions' configuration.
    pub config: Config,
    /// `SENDER_EMAIL` is set (not the default address): replaying on the table needs it,
    /// or SES refuses every email and a refused email is never tried again.
    pub sender_email_set: bool,
    /// The AWS configuration (`None`: the standard environment's).
    pub aws: Option<aws_config::SdkConfig>,
}

impl Env {
    /// The process's environment; an SMS origination identity that is not one is refused.
    pub fn from_process() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Ok(Self {
            table: var("TABLE_NAME"),
            public_base_url: var("PUBLIC_BASE_URL"),
            config: Config::from_env()?,
            sender_email_set: var("SENDER_EMAIL").is_some(),
            aws: None,
        })
    }

    async fn aws(&self) -> Result<aws_config::SdkConfig, String> {
        match &self.aws {
            Some(aws) => Ok(aws.clone()),
            // The SDK crates carry no default HTTP client: the project's own (rustls on ring).
            None => portal::aws::sdk_config().await,
        }
    }
}

/// Where a command runs: the embedded store of a data directory, or the table.
enum Target {
    Embedded(PathBuf),
    Table(String),
}

impl Target {
    fn of(data_dir: Option<PathBuf>, env: &Env) -> Self {
        match (data_dir, &env.table) {
            (None, Some(table)) => Target::Table(table.clone()),
            (dir, _) => Target::Embedded(dir.unwrap_or_else(|| PathBuf::from(".data"))),
        }
    }

    /// The base of printed links: `--portal-url`, else `PUBLIC_BASE_URL`; on the table one of
    /// them is required (a link to the local portal opens nothing for a deployed courier).
    fn portal_url(&self, flag: Option<String>, env: &Env) -> Result<String, String> {
        match (flag.or_else(|| env.public_base_url.clone()), self) {
            (Some(url), _) => Ok(url.trim_end_matches('/').to_string()),
            (None, Target::Embedded(_)) => Ok(LOCAL_PORTAL_URL.into()),
            (None, Target::Table(table)) => Err(format!(
                "--portal-url is required on DynamoDB (table {table}): the printed link must \
                 open the deployed portal, not {LOCAL_PORTAL_URL}. Pass the portal's address \
                 (--portal-url https://portal.example.com: the API URL of the stack's outputs, \
                 or its custom domain) or set PUBLIC_BASE_URL"
            )),
        }
    }

    async fn context(&self, env: &Env, needs: Needs) -> Result<Ctx, String> {
        Ok(self.context_and_scanner(env, needs).await?.0)
    }

    /// The context, and the same store as a [`Scanner`] (which no function holds).
    async fn context_and_scanner(
        &self,
        env: &Env,
        needs: Needs,
    ) -> Result<(Ctx, Arc<dyn Scanner>), String> {
        match self {
            Target::Table(table) => {
                let aws = env.aws().await?;
                let ctx = Ctx::on_table(&aws, table, env.config.clone(), needs);
                let client = aws_sdk_dynamodb::Client::new(&aws);
                Ok((ctx, Arc::new(DynamoStore::new(client, table))))
            }
            Target::Embedded(dir) => {
                let store = EmbeddedStore::open(dir).map_err(|e| e.to_string())?;
                let outbox = Outbox::new(store.clone());
                let ctx = Ctx {
                    store: Arc::new(store.clone()),
                    mailer: Some(Arc::new(outbox.clone())),
                    sms: Some(Arc::new(outbox)),
                    pusher: None,
                    clock: Arc::new(SystemClock),
                    config: env.config.clone(),
                };
                Ok((ctx, Arc::new(store)))
            }
        }
    }
}

/// Runs a command line (`args[0]` is the program's name) and returns what it prints.
pub async fn run_args<I, T>(args: I, env: &Env) -> Result<serde_json::Value, String>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args).map_err(|e| e.to_string())?;
    run(cli, env).await
}

pub async fn run(cli: Cli, env: &Env) -> Result<serde_json::Value, String> {
    match cli.command {
        Command::CreateCourier {
            name,
            email,
            timezone,
            data_dir,
            portal_url,
        } => {
            let target = Target::of(data_dir, env);
            let portal_url = target.portal_url(portal_url, env)?;
            let ctx = target.context(env, Needs::STORE).await?;
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
            let target = Target::of(data_dir, env);
            let portal_url = target.portal_url(portal_url, env)?;
            let ctx = target.context(env, Needs::STORE).await?;
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
            let table = table
                .or_else(|| env.table.clone())
                .ok_or("--table (or TABLE_NAME) names the table to create")?;
            let template = portal_local::Template::built_in();
            portal_local::table::create_table(
                &aws_sdk_dynamodb::Client::new(&env.aws().await?),
                &table,
                &template.table,
            )
            .await?;
            Ok(serde_json::json!({ "table": table, "created": true }))
        }
        Command::ReplayNotifications { from, to, data_dir } => {
            let time = |flag: &str, value: &str| {
                chrono::DateTime::parse_from_rfc3339(value)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .map_err(|e| format!("--{flag}: {e} (an RFC 3339 time: 2026-12-07T08:00:00Z)"))
            };
            let (from, to) = (time("from", &from)?, time("to", &to)?);
            if from > to {
                return Err("--from: must not be after --to".into());
            }
            let target = Target::of(data_dir, env);
            if matches!(target, Target::Table(_)) && !env.sender_email_set {
                return Err(
                    "SENDER_EMAIL is required on DynamoDB: the stack's SenderEmail \
                            (SES refuses email from any other address, and a refused email \
                            is not tried again)"
                        .into(),
                );
            }
            let (ctx, scanner) = target.context_and_scanner(env, Needs::ALL).await?;
            let report = portal::fanout::replay::replay_notifications(&ctx, &*scanner, from, to)
                .await
                .map_err(|e| e.to_string())?;
            serde_json::to_value(report).map_err(|e| e.to_string())
        }
    }
}
