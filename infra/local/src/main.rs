//! `portal-local`: the whole portal on one machine, no AWS account and no Docker.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;

use portal::ctx::Config;
use portal::store::embedded::EmbeddedStore;
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
    let server = match args.backend {
        Backend::Embedded => {
            let fresh = !args.data_dir.join("portal.sqlite3").exists();
            let store = EmbeddedStore::open(&args.data_dir)?;
            let (server, stream) = portal_local::embedded_portal(store, Config::from_env());
            if fresh {
                seed_demo_courier(&server.app.ctx).await?;
            }
            // The table's stream, delivered in-process to the status fan-out.
            tokio::spawn(stream.run());
            // The hourly schedule of the draft reminders, in-process.
            tokio::spawn(portal_local::schedules::hourly_draft_reminders(
                server.app.ctx.clone(),
            ));
            server
        }
        Backend::Aws => {
            let ctx = Arc::new(Ctx::from_aws_env(portal::Needs::ALL).await?);
            let app = Arc::new(LocalApp::new(ctx, &Template::built_in()));
            Arc::new(Server { app, outbox: None })
        }
    };
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    let address = listener.local_addr()?;
    println!("Courier client portal listening on http://{address}");
    if server.outbox.is_some() {
        println!("Captured email and SMS: GET http://{address}/dev/outbox");
        println!("Draft reminders now (hourly otherwise): POST http://{address}/dev/schedules/draft-reminders {{\"at\": \"2026-12-02T08:00:00Z\"}} (optional)");
        println!("A recipient texting STOP/START/HELP: POST http://{address}/dev/sms-inbound {{\"from\": \"+15551234567\", \"body\": \"STOP\"}}");
    }
    tokio::select! {
        result = server.serve(listener) => result?,
        _ = tokio::signal::ctrl_c() => println!("stopped"),
    }
    Ok(())
}

/// First start on an empty data directory: a courier to try the API with.
async fn seed_demo_courier(ctx: &Ctx) -> Result<(), Box<dyn std::error::Error>> {
    let (courier, key) = portal::api::couriers::create_courier(
        ctx,
        "Demo Courier",
        "dispatch@demo-courier.example",
        "UTC",
    )
    .await?;
    println!(
        "Created the demo courier {} ({}).",
        courier.name, courier.id
    );
    println!(
        "Its API key, shown this once:\n\n    export COURIER_KEY={}\n",
        key.secret
    );
    Ok(())
}
