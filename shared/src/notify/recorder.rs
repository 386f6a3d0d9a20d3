use async_trait::async_trait;
use std::sync::{Arc, Mutex};

use super::{Mailer, NotifyError, OutgoingEmail, SmsSender};
use crate::domain::Phone;

/// A message that went through a [`Recorder`].
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Email(OutgoingEmail),
    Sms { to: Phone, body: String },
}

/// Passes messages on to real notifiers and keeps a copy, so tests on either backend can
/// read what was sent (and can make sending fail on purpose).
pub struct Recorder {
    mailer: Arc<dyn Mailer>,
    sms: Arc<dyn SmsSender>,
    sent: Mutex<Vec<Sent>>,
    failing: std::sync::atomic::AtomicBool,
}

impl Recorder {
    pub fn new(mailer: Arc<dyn Mailer>, sms: Arc<dyn SmsSender>) -> Self {
        Self {
            mailer,
            sms,
            sent: Mutex::new(Vec::new()),
            failing: Default::default(),
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

    fn check(&self, channel: &'static str) -> Result<(), NotifyError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(NotifyError {
                channel,
                reason: "simulated outage".into(),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl Mailer for Recorder {
    async fn send_email(&self, email: &OutgoingEmail) -> Result<(), NotifyError> {
        self.check("email")?;
        self.mailer.send_email(email).await?;
        self.sent.lock().unwrap().push(Sent::Email(email.clone()));
        Ok(())
    }
}

#[async_trait]
impl SmsSender for Recorder {
    async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError> {
        self.check("sms")?;
        self.sms.send_sms(to, body).await?;
        self.sent.lock().unwrap().push(Sent::Sms {
            to: to.clone(),
            body: body.to_string(),
        });
        Ok(())
    }
}
