use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Mailer, NotifyError, OutgoingEmail, SmsSender};
use crate::domain::Phone;

/// A message that went through a [`Recorder`].
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Email(OutgoingEmail),
    Sms { to: Phone, body: String },
}

/// How sending to one recipient fails on purpose (see [`Recorder::fail_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failing {
    /// As SNS refuses an invalid number or SES a refused address: every time.
    Permanently,
    /// As a throttled or unavailable SNS or SES: until [`Recorder::stop_failing_to`].
    Transiently,
}

/// Passes messages on to real notifiers and keeps a copy, so tests on either backend can
/// read what was sent (and can make sending fail on purpose).
pub struct Recorder {
    mailer: Arc<dyn Mailer>,
    sms: Arc<dyn SmsSender>,
    sent: Mutex<Vec<Sent>>,
    failing: std::sync::atomic::AtomicBool,
    /// Recipients (an E.164 number or an email address) whose sends fail.
    failing_to: Mutex<HashMap<String, Failing>>,
}

impl Recorder {
    pub fn new(mailer: Arc<dyn Mailer>, sms: Arc<dyn SmsSender>) -> Self {
        Self {
            mailer,
            sms,
            sent: Mutex::new(Vec::new()),
            failing: Default::default(),
            failing_to: Default::default(),
        }
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// Makes every following send fail, as an outage of SES or SNS would.
    pub fn fail_sends(&self, failing: bool) {
        self.failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }

    /// Makes every following send to `recipient` (a number or an address) fail, with the
    /// error SNS or SES gives for such a failure.
    pub fn fail_to(&self, recipient: &str, how: Failing) {
        self.failing_to
            .lock()
            .unwrap()
            .insert(recipient.to_string(), how);
    }

    pub fn stop_failing_to(&self, recipient: &str) {
        self.failing_to.lock().unwrap().remove(recipient);
    }

    fn check(&self, channel: &'static str, recipient: &str) -> Result<(), NotifyError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(NotifyError::transient(
                channel,
                "ServiceUnavailable",
                "simulated outage",
            ));
        }
        let refused = if channel == "sms" {
            "InvalidParameter"
        } else {
            "MessageRejected"
        };
        match self.failing_to.lock().unwrap().get(recipient) {
            None => Ok(()),
            Some(Failing::Permanently) => Err(NotifyError::permanent(
                channel,
                refused,
                "simulated refusal of the recipient",
            )),
            Some(Failing::Transiently) => Err(NotifyError::transient(
                channel,
                "Throttling",
                "simulated throttling",
            )),
        }
    }
}

#[async_trait]
impl Mailer for Recorder {
    async fn send_email(&self, email: &OutgoingEmail) -> Result<(), NotifyError> {
        self.check("email", email.to.as_str())?;
        self.mailer.send_email(email).await?;
        self.sent.lock().unwrap().push(Sent::Email(email.clone()));
        Ok(())
    }
}

#[async_trait]
impl SmsSender for Recorder {
    async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError> {
        self.check("sms", to.as_str())?;
        self.sms.send_sms(to, body).await?;
        self.sent.lock().unwrap().push(Sent::Sms {
            to: to.clone(),
            body: body.to_string(),
        });
        Ok(())
    }
}
