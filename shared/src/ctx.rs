//! What a use case runs with: the store, the notifiers, the clock and configuration.
//! Built once per cold start (Lambda) or once per process (local server, tests).

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::domain::sms_identity::SmsIdentity;
use crate::domain::sms_price::SegmentPrice;
use crate::needs::{Needs, NotWired};
use crate::notify::{Mailer, Pusher, SmsSender};
use crate::store::dynamo::DynamoStore;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct Config {
    /// Base of links sent to people (`https://api.courier.example`); when unset, the host
    /// the request came in on.
    pub public_base_url: Option<String>,
    /// The SES identity email is sent from.
    pub sender_email: String,
    /// The origination number and sender id every SMS is sent with (`SMS_ORIGINATION_NUMBER`,
    /// `SMS_SENDER_ID`; unset or empty: none).
    pub sms: SmsIdentity,
    /// `PORTAL_WEBHOOKS_ALLOW_PRIVATE=1`: outbound webhooks may go to private, loopback and
    /// link-local addresses (and `http://`), for a receiver on this machine. The local
    /// portal and the tests set it; a deployed stack never does.
    pub webhooks_allow_private: bool,
}

impl Config {
    /// What one SMS segment costs, for what the Communications page shows:
    /// `SMS_PRICE_PER_SEGMENT_USD` (the stack's `SmsPricePerSegmentUsd`), else, or when it is
    /// not a price, the US price ([`SegmentPrice::DEFAULT`]).
    pub fn sms_segment_price() -> SegmentPrice {
        std::env::var("SMS_PRICE_PER_SEGMENT_USD")
            .ok()
            .and_then(|v| SegmentPrice::parse(&v).ok())
            .unwrap_or_default()
    }

    /// Where the tracking page's map tiles come from: `MAP_TILE_URL_TEMPLATE` (the stack's
    /// `MapTileUrlTemplate`) and `MAP_ATTRIBUTION`. Unset or empty: no map; not a template:
    /// no map, and a warning.
    pub fn map_tiles() -> Option<crate::domain::map::MapTiles> {
        let template = std::env::var("MAP_TILE_URL_TEMPLATE").ok()?;
        if template.trim().is_empty() {
            return None;
        }
        let attribution = std::env::var("MAP_ATTRIBUTION").unwrap_or_default();
        crate::domain::map::MapTiles::parse(&template, &attribution)
            .map_err(|e| tracing::warn!(error = %e, "no map on the tracking page"))
            .ok()
    }

    /// Where open pages connect for live updates: `LIVE_URL` (the stack's WebSocket API
    /// stage, `wss://…/live`). Unset or empty (portal-local): the portal's own host's `/live`.
    pub fn live_url() -> Option<String> {
        std::env::var("LIVE_URL")
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| v.starts_with("wss://") || v.starts_with("ws://"))
    }

    /// The origin of [`Config::live_url`] (`wss://abc.execute-api.eu-west-1.amazonaws.com`),
    /// what the pages' `connect-src` allows besides their own.
    pub fn live_origin() -> Option<String> {
        live_origin_of(&Self::live_url()?)
    }

    /// The deployment's settings from the environment, checked: a malformed SMS identity
    /// stops the function at start-up rather than every send.
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            public_base_url: std::env::var("PUBLIC_BASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            sender_email: std::env::var("SENDER_EMAIL")
                .unwrap_or_else(|_| "no-reply@example.com".into()),
            sms: SmsIdentity::parse(
                std::env::var("SMS_ORIGINATION_NUMBER").ok().as_deref(),
                std::env::var("SMS_SENDER_ID").ok().as_deref(),
            )?,
            webhooks_allow_private: std::env::var("PORTAL_WEBHOOKS_ALLOW_PRIVATE")
                .is_ok_and(|v| v.trim() == "1"),
        })
    }
}

#[derive(Clone)]
pub struct Ctx {
    pub store: Arc<dyn Store>,
    /// Email (SES, or the outbox locally); none in a function built without it ([`Needs`]).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// SMS (SNS, or the outbox locally); none in a function built without it.
    pub sms: Option<Arc<dyn SmsSender>>,
    /// Pushes to open pages (API Gateway's WebSocket connections, or the local server's);
    /// none in a function built without it.
    pub pusher: Option<Arc<dyn Pusher>>,
    pub clock: Arc<dyn Clock>,
    pub config: Config,
}

impl Ctx {
    /// The store on the table named by `TABLE_NAME`, and the notifiers `needs` names, from
    /// the standard AWS environment (`AWS_ENDPOINT_URL` points every client at moto server).
    pub async fn from_aws_env(needs: Needs) -> Result<Self, String> {
        Self::on_aws(&crate::aws::sdk_config().await?, needs)
    }

    /// The same, as a Lambda function starts: credentials and region from the function's
    /// environment only ([`crate::aws::lambda_sdk_config`]).
    pub fn from_lambda_env(needs: Needs) -> Result<Self, String> {
        Self::on_aws(&crate::aws::lambda_sdk_config()?, needs)
    }

    fn on_aws(aws: &aws_config::SdkConfig, needs: Needs) -> Result<Self, String> {
        let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set".to_string())?;
        Ok(Self::on_table(aws, &table, Config::from_env()?, needs))
    }

    /// The store on `table` and the notifiers `needs` names, on the given AWS configuration
    /// (`portal-admin`, whose tests point it at moto server without touching the process's
    /// environment).
    pub fn on_table(
        aws: &aws_config::SdkConfig,
        table: &str,
        config: Config,
        needs: Needs,
    ) -> Self {
        Self {
            store: Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(aws), table)),
            mailer: needs.build_mailer(aws, &config.sender_email),
            sms: needs.build_sms(aws, &config.sms),
            pusher: needs.build_pusher(aws),
            clock: Arc::new(SystemClock),
            config,
        }
    }

    /// This context as a function built with `needs` has it: the clients it leaves out are
    /// gone, so a use case run through it fails as it would on Lambda (local server, tests).
    pub fn wired_for(&self, needs: Needs) -> Self {
        Self {
            mailer: self.mailer.clone().filter(|_| needs.mail()),
            sms: self.sms.clone().filter(|_| needs.sms()),
            pusher: self.pusher.clone().filter(|_| needs.push()),
            ..self.clone()
        }
    }

    pub fn mailer(&self) -> Result<&dyn Mailer, NotWired> {
        self.mailer.as_deref().ok_or(NotWired("email (SES)"))
    }

    pub fn sms(&self) -> Result<&dyn SmsSender, NotWired> {
        self.sms.as_deref().ok_or(NotWired("SMS (SNS)"))
    }

    pub fn pusher(&self) -> Result<&dyn Pusher, NotWired> {
        self.pusher
            .as_deref()
            .ok_or(NotWired("WebSocket pushes (API Gateway Management API)"))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    // `base_url`, the base of links in messages, is in `http`: it falls back on the request.
}

/// The origin of a WebSocket URL (`wss://host[:port]`); `None` when it has none (no host,
/// or a character that would end a policy's directive).
pub fn live_origin_of(url: &str) -> Option<String> {
    let scheme_end = url.find("://")? + 3;
    let host_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map(|i| scheme_end + i)
        .unwrap_or(url.len());
    let origin = &url[..host_end];
    (host_end > scheme_end && !origin.contains([';', ',', ' ', '\''])).then(|| origin.to_string())
}
