//! `portal-local`: the whole portal on one machine, no AWS account and no Docker.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;

use portal::ctx::Config;
use portal::Ctx;
use portal_local::server::Server;
use portal_local::{LocalApp, Template};

#[derive(Parser)]
#[command(about = "Serves every function of template.yaml on one local HTTP server")]
struct Args {
    #[arg(long, default_value_t = 3000)]
    port: u16,
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Where the embedded store keeps its data (kept across restarts).
    #[arg(long, default_value = ".data", env = "PORTAL_DATA_DIR")]
    data_dir: PathBuf,
    /// `embedded`: SQLite in --data-dir, messages in the outbox. `aws`: DynamoDB (TABLE_NAME),
    /// SES and SNS from the AWS environment (AWS_ENDPOINT_URL for moto server).
    #[arg(long, value_enum, default_value_t = Backend::Embedded)]
    backend: Backend,
    /// On the first start (empty data directory), create only the demo courier and its
    /// person: no demo client, pricing or orders.
    #[arg(long)]
    no_demo: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Backend {
    Embedded,
    Aws,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    // Bound first: a port in use fails before a first run creates anything.
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    let address = listener.local_addr()?;
    let mut config = Config::from_env()?;
    // Webhook receivers on this machine (127.0.0.1, http://) are what a local portal is
    // tried with: allowed unless PORTAL_WEBHOOKS_ALLOW_PRIVATE says otherwise.
    if std::env::var("PORTAL_WEBHOOKS_ALLOW_PRIVATE").is_err() {
        config.webhooks_allow_private = true;
    }
    let base_url = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let server = match args.backend {
        Backend::Embedded => {
            let (server, stream, welcome) =
                portal_local::start_embedded(&args.data_dir, config, &base_url, !args.no_demo)
                    .await?;
            // The table's stream, delivered in-process to the status fan-out...
            tokio::spawn(stream.run());
            // ...and to the import worker (large imports, a slice per step).
            if let Some(store) = server.outbox.clone() {
                let worker = portal_local::streams::LocalStream::import_worker(
                    store,
                    Arc::new(
                        server
                            .app
                            .ctx
                            .wired_for(portal_local::functions::IMPORT_WORKER.needs),
                    ),
                );
                tokio::spawn(Arc::new(worker).run());
            }
            // ...and to the live updates' pusher (the open pages' WebSockets).
            if let Some(store) = server.outbox.clone() {
                let pusher =
                    portal_local::streams::LocalStream::live_pusher(store, &server.app.ctx);
                tokio::spawn(Arc::new(pusher).run());
            }
            // The hourly schedule of the draft reminders, in-process.
            tokio::spawn(portal_local::schedules::hourly_draft_reminders(
                server.app.ctx.clone(),
            ));
            // The unread-chat emails, every five minutes, in-process.
            tokio::spawn(portal_local::schedules::chat_notices_every_five_minutes(
                server.app.ctx.clone(),
            ));
            // Outbound webhooks due, every minute, in-process.
            tokio::spawn(portal_local::schedules::webhook_deliveries_every_minute(
                server.app.ctx.clone(),
            ));
            // The courier people's order digests, every quarter hour, in-process.
            tokio::spawn(portal_local::schedules::order_digests_every_quarter_hour(
                server.app.ctx.clone(),
            ));
            println!("Courier client portal: {base_url}\n");
            print!("{welcome}");
            println!("\nEmail and SMS sent locally land in the outbox: {base_url}/dev/outbox");
            server
        }
        Backend::Aws => {
            let ctx = Arc::new(Ctx::from_aws_env(portal::Needs::ALL).await?);
            let app = Arc::new(LocalApp::new(ctx, &Template::built_in()));
            println!("Courier client portal: {base_url} (on AWS)");
            Arc::new(Server {
                app,
                outbox: None,
                live: Default::default(),
            })
        }
    };
    tokio::select! {
        result = server.serve(listener) => result?,
        _ = tokio::signal::ctrl_c() => println!("stopped"),
    }
    Ok(())
}
