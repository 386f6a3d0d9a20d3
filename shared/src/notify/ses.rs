use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use super::{Mailer, NotifyError, OutgoingEmail};

/// Sends email through Amazon SES (API v2).
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
}

impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client, from: impl Into<String>) -> Self {
        let client = aws_sdk_sesv2::Client::from_conf(
            client
                .config()
                .to_builder()
                .retry_config(super::at_most_once())
                .build(),
        );
        Self {
            client,
            from: from.into(),
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send_email(&self, email: &OutgoingEmail) -> Result<(), NotifyError> {
        let failed = |reason: String| {
            // The builder's message may name the address: masked, as every log line has it.
            NotifyError::permanent("email", "content", crate::observe::redact::text(&reason))
        };
        let content = |text: &str| {
            Content::builder()
                .data(text)
                .charset("UTF-8")
                .build()
                .map_err(|e| failed(e.to_string()))
        };
        let mut body = Body::builder().text(content(&email.text)?);
        if let Some(html) = &email.html {
            body = body.html(content(html)?);
        }
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(body.build())
            .build();
        let result = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(email.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map(|_| ())
            .map_err(super::failure::ses_failure);
        super::observed_email(result, &email.to)
    }
}
