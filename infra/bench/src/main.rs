//! `portal-bench`: seeds a fresh data directory with a large courier through the portal's
//! own use cases, then times searches against a running `portal-local` over HTTP.
//! Driven by `scripts/bench-search.sh`.

mod cost;
mod import;
mod seed;
mod timing;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Seeds a data directory and times the local portal's searches")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a courier, three clients and ORDERS orders in DATA_DIR (must be fresh), then
    /// prints what the timing needs (keys, the target recipient's orders) as JSON.
    Seed {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        orders: usize,
    },
    /// Imports a sheet of ROWS rows into a fresh DATA_DIR as a client (preflight, commit,
    /// the same file again) and prints the timings and write units as JSON.
    Import {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
    },
    /// Runs the scripted order lifecycle ORDERS times in a fresh DATA_DIR, metered as AWS
    /// bills it, and prints the cost of a million orders (Markdown).
    Cost {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 200)]
        orders: usize,
        /// Where tracking links point (the SMS's length depends on it).
        #[arg(long, default_value = cost::EXECUTE_API_URL)]
        base_url: String,
    },
    /// Times searches against URL with what `seed` printed (SEED_FILE).
    Time {
        #[arg(long)]
        url: String,
        #[arg(long)]
        seed_file: PathBuf,
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Args::parse().command {
        Command::Seed { data_dir, orders } => {
            let seeded = seed::seed(&data_dir, orders).await?;
            println!("{}", serde_json::to_string_pretty(&seeded)?);
        }
        Command::Import { data_dir, rows } => {
            let measured = import::run(&data_dir, rows).await?;
            println!("{}", serde_json::to_string_pretty(&measured)?);
        }
        Command::Cost {
            data_dir,
            orders,
            base_url,
        } => {
            let totals = cost::run(&data_dir, orders, &base_url).await?;
            println!("{}", totals.markdown());
        }
        Command::Time {
            url,
            seed_file,
            runs,
        } => {
            let seeded = serde_json::from_str(&std::fs::read_to_string(seed_file)?)?;
            timing::run(&url, &seeded, runs)?;
        }
    }
    Ok(())
}
