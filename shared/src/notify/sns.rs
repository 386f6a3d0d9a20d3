use async_trait::async_trait;
use aws_sdk_sns::types::MessageAttributeValue;

use super::{NotifyError, SmsSender};
use crate::domain::sms_identity::SmsIdentity;
use crate::domain::Phone;

/// Sends SMS through Amazon SNS (transactional, direct to a phone number), from the
/// deployment's origination number and sender id when they are set.
pub struct SnsSms {
    client: aws_sdk_sns::Client,
    identity: SmsIdentity,
}

impl SnsSms {
    pub fn new(client: aws_sdk_sns::Client) -> Self {
        Self::with_identity(client, SmsIdentity::default())
    }

    pub fn with_identity(client: aws_sdk_sns::Client, identity: SmsIdentity) -> Self {
        let client = aws_sdk_sns::Client::from_conf(
            client
                .config()
                .to_builder()
                .retry_config(super::at_most_once())
                .build(),
        );
        Self { client, identity }
    }
}

/// The message attributes of every publish: transactional (delivery over price), the
/// origination number and the sender id when set.
pub fn publish_attributes(identity: &SmsIdentity) -> Vec<(&'static str, String)> {
    let mut attributes = vec![("AWS.SNS.SMS.SMSType", "Transactional".to_string())];
    if let Some(number) = &identity.origination_number {
        attributes.push(("AWS.MM.SMS.OriginationNumber", number.as_str().to_string()));
    }
    if let Some(sender_id) = &identity.sender_id {
        attributes.push(("AWS.SNS.SMS.SenderID", sender_id.as_str().to_string()));
    }
    attributes
}

#[async_trait]
impl SmsSender for SnsSms {
    async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError> {
        let mut publish = self
            .client
            .publish()
            .phone_number(to.as_str())
            .message(body);
        for (name, value) in publish_attributes(&self.identity) {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| NotifyError::permanent("sms", "attribute", e.to_string()))?;
            publish = publish.message_attributes(name, value);
        }
        let result = publish
            .send()
            .await
            .map(|_| ())
            .map_err(super::failure::sns_failure);
        super::observed_sms(result, to, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_publish_is_transactional_and_carries_the_identity_set() {
        assert_eq!(
            publish_attributes(&SmsIdentity::default()),
            [("AWS.SNS.SMS.SMSType", "Transactional".to_string())]
        );
        let identity = SmsIdentity::parse(Some("+18885550123"), Some("DemoCourier")).unwrap();
        assert_eq!(
            publish_attributes(&identity),
            [
                ("AWS.SNS.SMS.SMSType", "Transactional".to_string()),
                ("AWS.MM.SMS.OriginationNumber", "+18885550123".to_string()),
                ("AWS.SNS.SMS.SenderID", "DemoCourier".to_string()),
            ]
        );
        let sender_only = SmsIdentity::parse(None, Some("Demo")).unwrap();
        assert_eq!(
            publish_attributes(&sender_only)[1],
            ("AWS.SNS.SMS.SenderID", "Demo".to_string())
        );
    }
}
