//! `portal-local`: the whole portal on one machine, no AWS account and no Docker.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;

use portal::clock::SystemClock;
use portal::ctx::Config;
use portal::notify::Outbox;
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
    let (ctx, outbox) = match args.backend {
        Backend::Embedded => {
            let fresh = !args.data_dir.join("portal.sqlite3").exists();
            let store = EmbeddedStore::open(&args.data_dir)?;
            let outbox = Outbox::new(store.clone());
            let ctx = Ctx {
                store: Arc::new(store.clone()),
                mailer: Arc::new(outbox.clone()),
                sms: Arc::new(outbox),
                clock: Arc::new(SystemClock),
                config: Config::from_env(),
            };
            if fresh {
                seed_demo_courier(&ctx).await?;
            }
            (ctx, Some(store))
        }
        Backend::Aws => (Ctx::from_aws_env().await?, None),
    };
    let app = Arc::new(LocalApp::new(Arc::new(ctx), &Template::built_in()));
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    println!(
        "Courier client portal listening on http://{}",
        listener.local_addr()?
    );
    if outbox.is_some() {
        println!(
            "Captured email and SMS: GET http://{}/dev/outbox",
            listener.local_addr()?
        );
    }
    let server = Arc::new(Server { app, outbox });
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
