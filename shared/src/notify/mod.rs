//! The notifier ports (email, SMS) and their adapters: SES and SNS in AWS, an outbox that
//! captures messages locally, and a recorder that tests read.

pub mod letter;
#[cfg(feature = "embedded")]
mod outbox;
mod recorder;
mod ses;
mod sns;

#[cfg(feature = "embedded")]
pub use outbox::Outbox;
pub use recorder::{Recorder, Sent};
pub use ses::SesMailer;
pub use sns::SnsSms;

use async_trait::async_trait;

use crate::domain::{Email, Phone};

#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEmail {
    pub to: Email,
    pub subject: String,
    /// The plain-text part (every email has one).
    pub text: String,
    /// The HTML part, when the email has one (sent alongside the text).
    pub html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{channel} could not be sent: {reason}")]
pub struct NotifyError {
    pub channel: &'static str,
    pub reason: String,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send_email(&self, email: &OutgoingEmail) -> Result<(), NotifyError>;
}

#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError>;
}
