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

impl From<crate::hooks::HookError> for FanoutError {
    fn from(err: crate::hooks::HookError) -> Self {
        use crate::hooks::HookError;
        match err {
            HookError::Store(e) => FanoutError::Store(e),
            HookError::NotWired(e) => FanoutError::NotWired(e),
            other => FanoutError::Unreadable(other.to_string()),
        }
    }
}
