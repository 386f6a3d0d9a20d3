//! What a use case runs with: the store, the notifiers, the clock and configuration.
//! Built once per cold start (Lambda) or once per process (local server, tests).

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::http::ApiRequest;
use crate::notify::{Mailer, SesMailer, SmsSender, SnsSms};
use crate::store::dynamo::DynamoStore;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct Config {
    /// Base of links sent to people (`https://api.courier.example`); when unset, the host
    /// the request came in on.
    pub public_base_url: Option<String>,
    /// The SES identity email is sent from.
    pub sender_email: String,
}

impl Config {
    pub fn from_env() -> Self {
        Self {
            public_base_url: std::env::var("PUBLIC_BASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            sender_email: std::env::var("SENDER_EMAIL")
                .unwrap_or_else(|_| "no-reply@example.com".into()),
        }
    }
}

#[derive(Clone)]
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub sms: Arc<dyn SmsSender>,
    pub clock: Arc<dyn Clock>,
    pub config: Config,
}

impl Ctx {
    /// DynamoDB, SES and SNS from the standard AWS environment (`AWS_ENDPOINT_URL` points
    /// all three at moto server) and the table named by `TABLE_NAME`.
    pub async fn from_aws_env() -> Result<Self, String> {
        let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set".to_string())?;
        let aws = aws_config::load_from_env().await;
        let config = Config::from_env();
        Ok(Self {
            store: Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table)),
            mailer: Arc::new(SesMailer::new(
                aws_sdk_sesv2::Client::new(&aws),
                config.sender_email.clone(),
            )),
            sms: Arc::new(SnsSms::new(aws_sdk_sns::Client::new(&aws))),
            clock: Arc::new(SystemClock),
            config,
        })
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Base URL for links in messages.
    pub fn base_url(&self, req: &ApiRequest) -> String {
        self.config
            .public_base_url
            .clone()
            .or_else(|| req.base_url.clone())
            .unwrap_or_else(|| "http://127.0.0.1:3000".into())
            .trim_end_matches('/')
            .to_string()
    }
}
