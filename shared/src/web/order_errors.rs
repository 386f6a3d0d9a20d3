//! What a page shows for an ordering use case's error: the one mapping of
//! [`OrderError`] to people's words. A page puts the message next to its own input for the
//! field named (each page knows its inputs), or above the form.

use crate::domain::pricing::QuotedService;
use crate::ordering::{OrderError, OrderField};

/// An order use case's refusal, in words a person acts on.
pub struct Refusal {
    /// The command's field it is about, when one is.
    pub field: Option<OrderField>,
    pub message: String,
    /// Each service's quote, when no service could take the order.
    pub services: Vec<QuotedService>,
}

/// The refusal a page shows; `Err`: nothing the person can act on (a missing order, a
/// store fault), which the page answers as the API would.
pub fn refusal(error: OrderError) -> Result<Refusal, OrderError> {
    let message = error.to_string();
    Ok(match error {
        OrderError::Field { field, message, .. } => Refusal {
            field: Some(field),
            message,
            services: vec![],
        },
        OrderError::Unquotable {
            service_named,
            reasons,
            services,
        } => {
            let why = reasons
                .iter()
                .map(|r| r.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", ");
            Refusal {
                field: service_named.then_some(OrderField::ServiceId),
                message: if service_named {
                    format!("cannot serve this order ({why})")
                } else {
                    format!("No service can serve this order: {why}.")
                },
                services,
            }
        }
        OrderError::Stale { .. }
        | OrderError::NotAllowed(_)
        | OrderError::ConcurrentUpdate
        | OrderError::TooManyRows { .. }
        | OrderError::InvalidCursor => Refusal {
            field: None,
            message,
            services: vec![],
        },
        e @ (OrderError::NotFound
        | OrderError::ClientNotFound
        | OrderError::Store(_)
        | OrderError::Internal(_)) => return Err(e),
    })
}
