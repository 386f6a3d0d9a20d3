//! The local stand-in for API Gateway: the routes of `template.yaml`, the same authorizer
//! code before every protected route, and the same use cases behind them.

pub mod app;
pub mod first_run;
pub mod functions;
pub mod openapi;
pub mod router;
pub mod schedules;
pub mod server;
pub mod streams;
pub mod table;
pub mod template;

pub use app::LocalApp;
pub use template::Template;

/// The SAM template, built into the binary so what runs locally is what deploys.
pub const TEMPLATE_YAML: &str = include_str!("../../../template.yaml");

use portal::clock::SystemClock;
use portal::ctx::Config;
use portal::notify::{Connections, Outbox};
use portal::store::embedded::EmbeddedStore;
use portal::Ctx;
use std::sync::Arc;

/// The local portal on the embedded store: every route, SMS and email captured in the
/// outbox, and the table's stream delivered to the status fan-out in-process (spawn
/// `stream.run()`). `portal-local` and the end-to-end tests both start it here.
pub fn embedded_portal(
    store: EmbeddedStore,
    config: Config,
) -> (Arc<server::Server>, Arc<streams::LocalStream>) {
    let outbox = Outbox::new(store.clone());
    let live = Arc::new(Connections::default());
    let ctx = Arc::new(Ctx {
        store: Arc::new(store.clone()),
        mailer: Some(Arc::new(outbox.clone())),
        sms: Some(Arc::new(outbox)),
        pusher: Some(live.clone()),
        clock: Arc::new(SystemClock),
        config,
    });
    let fanout = Arc::new(ctx.wired_for(functions::STATUS_FANOUT.needs));
    let stream = Arc::new(streams::LocalStream::new(store.clone(), fanout));
    let app = Arc::new(LocalApp::new(ctx, &Template::built_in()));
    let server = Arc::new(server::Server {
        app,
        outbox: Some(store),
        live,
    });
    (server, stream)
}

/// `portal-local` on the embedded store in `data_dir`, with its first-run welcome: on an
/// empty directory (no database yet) the demo courier and its person, and the demo data
/// when `demo` ([`first_run::set_up`]); on a later start, nothing created
/// ([`first_run::again`]). `base_url` is where the portal listens, for the printed links.
pub async fn start_embedded(
    data_dir: &std::path::Path,
    config: Config,
    base_url: &str,
    demo: bool,
) -> Result<
    (
        Arc<server::Server>,
        Arc<streams::LocalStream>,
        first_run::Welcome,
    ),
    String,
> {
    let fresh = !data_dir.join("portal.sqlite3").exists();
    let store = EmbeddedStore::open(data_dir).map_err(|e| e.to_string())?;
    let (server, stream) = embedded_portal(store, config);
    let welcome = if fresh {
        first_run::Welcome::FirstRun(first_run::set_up(&server.app, base_url, demo).await?)
    } else {
        let admin_args = format!("--data-dir {} --portal-url {base_url}", data_dir.display());
        first_run::Welcome::Again(first_run::again(&server.app.ctx, base_url, &admin_args).await?)
    };
    Ok((server, stream, welcome))
}
