//! The push port: a message to one open page (a WebSocket connection). On AWS the API
//! Gateway Management API posts it (`PostToConnection` on the WebSocket API's stage);
//! locally the server's own connections take it ([`Connections`]). A connection that has
//! gone answers [`PushError::Gone`] (API Gateway's 410), and its item is deleted.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The page has closed (410 Gone): forget the connection.
    #[error("the connection is gone")]
    Gone,
    /// Anything else (throttled, unavailable): the stream record is retried.
    #[error("the message could not be pushed: {0}")]
    Failed(String),
}

#[async_trait]
pub trait Pusher: Send + Sync {
    async fn push(&self, connection_id: &str, message: &str) -> Result<(), PushError>;
}

/// Posts through the API Gateway Management API of the WebSocket API's stage
/// (`LIVE_ENDPOINT`, `https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
pub struct ApiGatewayPusher {
    client: aws_sdk_apigatewaymanagement::Client,
}

impl ApiGatewayPusher {
    pub fn new(aws: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(aws)
            .endpoint_url(endpoint)
            .build();
        Self {
            client: aws_sdk_apigatewaymanagement::Client::from_conf(config),
        }
    }
}

#[async_trait]
impl Pusher for ApiGatewayPusher {
    async fn push(&self, connection_id: &str, message: &str) -> Result<(), PushError> {
        use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
        let sent = self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(aws_smithy_types::Blob::new(message.as_bytes()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(PostToConnectionError::GoneException(_)) => Err(PushError::Gone),
                _ => Err(PushError::Failed(
                    aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
                )),
            },
        }
    }
}

/// Open connections held in this process (the local server's WebSockets, the tests'
/// pages): each id's queue of messages. A message to an id that is not open is
/// [`PushError::Gone`], as API Gateway answers for a closed page.
#[derive(Default)]
pub struct Connections {
    open: Mutex<HashMap<String, tokio::sync::mpsc::UnboundedSender<String>>>,
    /// Every message pushed, by connection (tests read it).
    pushed: Mutex<Vec<(String, String)>>,
}

impl Connections {
    /// Opens a connection: the receiver gets what is pushed to it.
    pub fn open(&self, connection_id: &str) -> tokio::sync::mpsc::UnboundedReceiver<String> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.open
            .lock()
            .unwrap()
            .insert(connection_id.to_string(), tx);
        rx
    }

    pub fn close(&self, connection_id: &str) {
        self.open.lock().unwrap().remove(connection_id);
    }

    /// The messages pushed to `connection_id` so far.
    pub fn pushed_to(&self, connection_id: &str) -> Vec<String> {
        self.pushed
            .lock()
            .unwrap()
            .iter()
            .filter(|(id, _)| id == connection_id)
            .map(|(_, m)| m.clone())
            .collect()
    }
}

#[async_trait]
impl Pusher for Connections {
    async fn push(&self, connection_id: &str, message: &str) -> Result<(), PushError> {
        let sent = self
            .open
            .lock()
            .unwrap()
            .get(connection_id)
            .map(|tx| tx.send(message.to_string()).is_ok());
        match sent {
            Some(true) => {
                self.pushed
                    .lock()
                    .unwrap()
                    .push((connection_id.to_string(), message.to_string()));
                Ok(())
            }
            _ => {
                self.close(connection_id);
                Err(PushError::Gone)
            }
        }
    }
}
