//! Which AWS clients a Lambda function is built with. Each function's needs are written once,
//! in the function registry (`crate::functions`), and its IAM policy grants no more. A client is named here by its constructor, so a function
//! whose needs leave it out neither builds it at cold start nor links it: a function that
//! never sends SMS has no SNS client in its binary.

use aws_config::SdkConfig;
use std::fmt;
use std::sync::Arc;

use crate::domain::sms_identity::SmsIdentity;
use crate::notify::push::ApiGatewayPusher;
use crate::notify::{Mailer, Pusher, SesMailer, SmsSender, SnsSms};

/// SES, given the identity mail is sent from (the `sender_email` of `ctx::Config`).
type BuildMailer = fn(&SdkConfig, &str) -> Arc<dyn Mailer>;
/// SNS, given the identity SMS are sent with (the `sms` of `ctx::Config`).
type BuildSms = fn(&SdkConfig, &SmsIdentity) -> Arc<dyn SmsSender>;
/// The API Gateway Management API of the WebSocket API's stage (`LIVE_ENDPOINT`).
type BuildPusher = fn(&SdkConfig) -> Option<Arc<dyn Pusher>>;

/// The table (DynamoDB) always; email (SES) and SMS (SNS) when a use case sends them.
#[derive(Clone, Copy)]
pub struct Needs {
    mail: Option<BuildMailer>,
    sms: Option<BuildSms>,
    push: Option<BuildPusher>,
}

impl Needs {
    /// DynamoDB only: every function reads or writes the table.
    pub const STORE: Needs = Needs {
        mail: None,
        sms: None,
        push: None,
    };
    /// Every client: the local portal and the operator command on AWS.
    pub const ALL: Needs = Needs::STORE.with_mail().with_sms();

    /// Adds email through SES.
    pub const fn with_mail(self) -> Self {
        Needs {
            mail: Some(ses_mailer),
            ..self
        }
    }

    /// Adds SMS through SNS.
    pub const fn with_sms(self) -> Self {
        Needs {
            sms: Some(sns_sms),
            ..self
        }
    }

    /// Adds pushes to open pages through the WebSocket API (`execute-api:ManageConnections`).
    pub const fn with_push(self) -> Self {
        Needs {
            push: Some(api_gateway_pusher),
            ..self
        }
    }

    pub fn push(&self) -> bool {
        self.push.is_some()
    }

    pub fn mail(&self) -> bool {
        self.mail.is_some()
    }

    pub fn sms(&self) -> bool {
        self.sms.is_some()
    }

    /// The AWS services the function calls, by their IAM prefix (`dynamodb`, `ses`, `sns`).
    pub fn services(&self) -> Vec<&'static str> {
        let mut services = vec!["dynamodb"];
        if self.mail() {
            services.push("ses");
        }
        if self.sms() {
            services.push("sns");
        }
        if self.push() {
            services.push("execute-api");
        }
        services
    }

    pub(crate) fn build_mailer(&self, aws: &SdkConfig, sender: &str) -> Option<Arc<dyn Mailer>> {
        self.mail.map(|build| build(aws, sender))
    }

    pub(crate) fn build_pusher(&self, aws: &SdkConfig) -> Option<Arc<dyn Pusher>> {
        self.push.and_then(|build| build(aws))
    }

    pub(crate) fn build_sms(
        &self,
        aws: &SdkConfig,
        identity: &SmsIdentity,
    ) -> Option<Arc<dyn SmsSender>> {
        self.sms.map(|build| build(aws, identity))
    }
}

impl PartialEq for Needs {
    fn eq(&self, other: &Self) -> bool {
        self.services() == other.services()
    }
}

impl Eq for Needs {}

impl fmt::Debug for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Needs({})", self.services().join(" + "))
    }
}

fn ses_mailer(aws: &SdkConfig, sender: &str) -> Arc<dyn Mailer> {
    Arc::new(SesMailer::new(aws_sdk_sesv2::Client::new(aws), sender))
}

/// On `LIVE_ENDPOINT` (the stage's `https://` URL); unset: none (a wiring mistake the
/// pusher reports on its first push).
fn api_gateway_pusher(aws: &SdkConfig) -> Option<Arc<dyn Pusher>> {
    let endpoint = std::env::var("LIVE_ENDPOINT").ok()?;
    Some(Arc::new(ApiGatewayPusher::new(aws, &endpoint)))
}

fn sns_sms(aws: &SdkConfig, identity: &SmsIdentity) -> Arc<dyn SmsSender> {
    Arc::new(SnsSms::with_identity(
        aws_sdk_sns::Client::new(aws),
        identity.clone(),
    ))
}

/// A use case reached for a client its function is not built with: a wiring mistake,
/// answered as an internal error before anything is written.
#[derive(Debug, thiserror::Error)]
#[error(
    "this function is built without the {0} client: add it to the function's NEEDS and IAM policy"
)]
pub struct NotWired(pub &'static str);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_name_the_services_a_policy_grants() {
        assert_eq!(Needs::STORE.services(), ["dynamodb"]);
        assert_eq!(Needs::STORE.with_mail().services(), ["dynamodb", "ses"]);
        assert_eq!(Needs::STORE.with_sms().services(), ["dynamodb", "sns"]);
        assert_eq!(Needs::ALL, Needs::STORE.with_sms().with_mail());
        assert_ne!(Needs::STORE, Needs::STORE.with_mail());
    }
}
