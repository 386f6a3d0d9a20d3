//! A recipient rates a completed delivery from its tracking page: 1 to 5 stars and an
//! optional comment, once. The tracking token is the credential. One conditional
//! UpdateItem records it (`rating` absent, the order completed), so two posts at once
//! record one rating; the order's version and `updatedAt` are untouched (a rating is not a
//! change the client or the courier makes).

use crate::clock::timestamp;
use crate::domain::order::Order;
use crate::domain::order_machine::OrderStatus;
use crate::domain::rating::{parse_comment, parse_stars, Rating, RatingField};
use crate::domain::token;
use crate::store::{keys, orders, Cond, StoreError, Update};
use crate::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error("tracking page not found")]
    NotFound,
    /// Only a completed delivery is rated.
    #[error("the delivery is not completed yet")]
    NotDelivered,
    #[error("this delivery was rated already")]
    AlreadyRated,
    #[error("{}: {message}", field.name())]
    Invalid { field: RatingField, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The rating as typed, each field checked (every error, by field).
pub fn check(stars: &str, comment: &str) -> Result<(u8, Option<String>), Vec<RateError>> {
    let stars = parse_stars(stars).map_err(|message| RateError::Invalid {
        field: RatingField::Stars,
        message,
    });
    let comment = parse_comment(comment).map_err(|message| RateError::Invalid {
        field: RatingField::Comment,
        message,
    });
    match (stars, comment) {
        (Ok(stars), Ok(comment)) => Ok((stars, comment)),
        (stars, comment) => Err([stars.err(), comment.err()].into_iter().flatten().collect()),
    }
}

/// Records the rating of the order behind `tracking_token`: the order as it is afterwards.
pub async fn rate_delivery(
    ctx: &Ctx,
    tracking_token: &str,
    stars: u8,
    comment: Option<String>,
) -> Result<Order, RateError> {
    if !token::well_formed_tracking(tracking_token) {
        return Err(RateError::NotFound);
    }
    let order = orders::get_by_tracking_token(ctx.store.as_ref(), tracking_token)
        .await?
        .ok_or(RateError::NotFound)?;
    if order.status != OrderStatus::Completed {
        return Err(RateError::NotDelivered);
    }
    if order.rating.is_some() {
        return Err(RateError::AlreadyRated);
    }
    let rating = Rating {
        stars,
        comment,
        at: timestamp(ctx.now()),
    };
    let key = keys::order(order.courier_id.as_str(), &order.id);
    let update = Update::new().set("rating", serde_json::to_value(&rating).unwrap_or_default());
    let cond = Cond::not_exists("rating").and(Cond::eq("status", OrderStatus::Completed.as_str()));
    match ctx.store.update(&key, &update, Some(cond)).await {
        Ok(saved) => Ok(crate::store::records::from_item(saved)?),
        Err(StoreError::ConditionFailed { .. }) => Err(RateError::AlreadyRated),
        Err(e) => Err(e.into()),
    }
}
