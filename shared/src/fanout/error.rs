//! Why a stream record was not handled (the batch is retried from it).

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
}
