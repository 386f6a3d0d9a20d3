//! What a shop's delivery asks for, and the delivery as the mappers read it.

use serde_json::Value;

use crate::domain::integration::Platform;
use crate::domain::order::Stop;

/// What a delivery asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ShopEvent {
    /// A new order to place (or draft).
    Create(Box<ShopOrder>),
    /// The platform order was cancelled: withdraw the order made from it.
    Cancel { platform_order_id: String },
    /// Nothing to do, and why (`nothing_to_ship`, `local_pickup`, `unsupported_topic`…).
    Ignore(Vec<String>),
    /// The body is not an order of this platform, and why.
    Unreadable(Vec<String>),
}

/// A shop's order, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopOrder {
    /// The platform's id of the order: one platform order never makes two orders.
    pub platform_order_id: Option<String>,
    /// The shop's order name or number (`#1001`, `727`).
    pub external_id: Option<String>,
    /// The generic body may name a pickup; shops never do (the client's default pickup).
    pub pickup: Option<Stop>,
    pub dropoff: Stop,
    pub pieces: Option<u32>,
    pub weight_grams: Option<u64>,
    /// A weight as the generic body gives it (kg, or `{"value", "units"}`).
    pub weight: Option<Value>,
    pub notes: Option<String>,
    /// The service the generic body asks for (else the client's rule picks).
    pub service_id: Option<crate::domain::ids::ServiceId>,
    /// The generic body's `draft: true`.
    pub draft: bool,
    /// What the inbox says about the mapping (a phone that is not a number…).
    pub reasons: Vec<String>,
}

/// A delivery as the mapping reads it.
pub struct Incoming<'a> {
    pub platform: Platform,
    pub topic: &'a str,
    pub body: &'a Value,
    /// The integration's default weight per piece, for platforms that send no weight.
    pub default_piece_grams: Option<u64>,
}
