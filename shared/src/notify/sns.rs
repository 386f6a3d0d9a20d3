use async_trait::async_trait;

use super::{NotifyError, SmsSender};
use crate::domain::Phone;

/// Sends SMS through Amazon SNS (transactional, direct to a phone number).
pub struct SnsSms {
    client: aws_sdk_sns::Client,
}

impl SnsSms {
    pub fn new(client: aws_sdk_sns::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl SmsSender for SnsSms {
    async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError> {
        let sms_type = aws_sdk_sns::types::MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|e| NotifyError::permanent("sms", "attribute", e.to_string()))?;
        self.client
            .publish()
            .phone_number(to.as_str())
            .message(body)
            .message_attributes("AWS.SNS.SMS.SMSType", sms_type)
            .send()
            .await
            .map_err(super::failure::sns_failure)?;
        Ok(())
    }
}
