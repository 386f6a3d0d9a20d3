//! Why a stream record was not handled (the batch is retried from it).

use crate::error::ApiError;
use crate::needs::NotWired;
use crate::notify::NotifyError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum FanoutError {
    #[error("the record cannot be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Notify(#[from] NotifyError),
    #[error(transparent)]
    NotWired(#[from] NotWired),
    #[error("{0}")]
    Api(String),
}

impl From<ApiError> for FanoutError {
    fn from(e: ApiError) -> Self {
        FanoutError::Api(e.to_string())
    }
}
