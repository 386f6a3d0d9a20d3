//! The notifier ports (email, SMS) and their adapters: SES and SNS in AWS, an outbox that
//! captures messages locally, and a recorder that tests read.

mod failure;
pub mod letter;
#[cfg(feature = "embedded")]
mod outbox;
pub mod push;
mod recorder;
mod ses;
mod sns;

#[cfg(feature = "embedded")]
pub use outbox::Outbox;
pub use push::{Connections, PushError, Pusher};
pub use recorder::{Failing, Recorder, Sent};
pub use ses::SesMailer;
pub use sns::{publish_attributes, SnsSms};

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

/// The SES and SNS clients try each message once: a retry of a send whose answer was lost
/// (a 5xx, a timeout) could deliver it twice. A send that was refused before being taken
/// (throttled) is retried by its caller: the stream, or the person who asked.
pub fn at_most_once() -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard().with_max_attempts(1)
}

/// Why a message did not go out. `code` names the provider's error (`MessageRejected`,
/// `InvalidParameterException`, `dispatch`…) and never the recipient; `reason` is the
/// provider's whole message, which may name the address or number (not for logs).
#[derive(Debug, thiserror::Error)]
#[error("{channel} could not be sent ({}): {code}", if *.permanent { "permanent" } else if *.uncertain { "uncertain" } else { "transient" })]
pub struct NotifyError {
    pub channel: &'static str,
    pub code: String,
    pub reason: String,
    /// Sending it again will fail again (an invalid or refused recipient, a sender that is
    /// not verified): see [`failure`](self) for the list. Otherwise it is worth a retry.
    pub permanent: bool,
    /// The provider may have taken the message: its answer was lost (a 5xx, a timeout, a
    /// broken connection). Sending it again may deliver it twice.
    pub uncertain: bool,
}

impl NotifyError {
    /// A failure a retry may cure, and the message was not taken (throttling, a refusal
    /// of the account an operator fixes).
    pub fn transient(channel: &'static str, code: &str, reason: impl Into<String>) -> Self {
        Self {
            channel,
            code: code.into(),
            reason: reason.into(),
            permanent: false,
            uncertain: false,
        }
    }

    /// A failure whose message may have gone out all the same (see [`NotifyError::uncertain`]).
    pub fn uncertain(channel: &'static str, code: &str, reason: impl Into<String>) -> Self {
        Self {
            uncertain: true,
            ..Self::transient(channel, code, reason)
        }
    }

    /// A failure that sending again cannot cure.
    pub fn permanent(channel: &'static str, code: &str, reason: impl Into<String>) -> Self {
        Self {
            permanent: true,
            ..Self::transient(channel, code, reason)
        }
    }
}

/// A send's outcome, counted (`Emails`) and, when it failed, logged at warn with the
/// recipient masked: every mailer adapter's answer goes through here.
pub(crate) fn observed_email(
    result: Result<(), NotifyError>,
    to: &Email,
) -> Result<(), NotifyError> {
    use crate::observe::metrics::{count, Metric};
    match &result {
        Ok(()) => count(Metric::Emails("sent"), 1),
        Err(e) => {
            count(Metric::Emails("failed"), 1);
            tracing::warn!(
                to = %crate::observe::redact::email(to.as_str()),
                error = %e,
                "email not sent"
            );
        }
    }
    result
}

/// The same for an SMS, with its segments (`SmsMessages`, `SmsSegments`).
pub(crate) fn observed_sms(
    result: Result<(), NotifyError>,
    to: &Phone,
    body: &str,
) -> Result<(), NotifyError> {
    use crate::observe::metrics::{count, Metric};
    let outcome = if result.is_ok() { "sent" } else { "failed" };
    count(Metric::SmsMessages(outcome), 1);
    count(
        Metric::SmsSegments(outcome),
        crate::domain::sms::segments(body) as u64,
    );
    if let Err(e) = &result {
        tracing::warn!(
            to = %crate::observe::redact::phone(to.as_str()),
            error = %e,
            "SMS not sent"
        );
    }
    result
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send_email(&self, email: &OutgoingEmail) -> Result<(), NotifyError>;
}

#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError>;
}
