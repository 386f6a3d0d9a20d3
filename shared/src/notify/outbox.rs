use async_trait::async_trait;

use super::{Mailer, NotifyError, OutgoingEmail, SmsSender};
use crate::domain::Phone;
use crate::store::embedded::EmbeddedStore;

/// Captures email and SMS in the embedded store's outbox instead of sending them
/// (the local portal shows them at `GET /dev/outbox`).
#[derive(Clone)]
pub struct Outbox {
    store: EmbeddedStore,
}

impl Outbox {
    pub fn new(store: EmbeddedStore) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send_email(&self, email: &OutgoingEmail) -> Result<(), NotifyError> {
        let result = self
            .store
            .record_outbox(
                "email",
                email.to.as_str(),
                Some(&email.subject),
                &email.text,
            )
            .await
            .map_err(|e| NotifyError::transient("email", "outbox", e.to_string()));
        super::observed_email(result, &email.to)
    }
}

#[async_trait]
impl SmsSender for Outbox {
    async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError> {
        let result = self
            .store
            .record_outbox("sms", to.as_str(), None, body)
            .await
            .map_err(|e| NotifyError::transient("sms", "outbox", e.to_string()));
        super::observed_sms(result, to, body)
    }
}
