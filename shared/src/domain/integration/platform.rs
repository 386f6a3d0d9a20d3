//! The shop platforms an integration receives orders from.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Shopify,
    Woocommerce,
    Generic,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Shopify => "shopify",
            Platform::Woocommerce => "woocommerce",
            Platform::Generic => "generic",
        }
    }

    /// Shopify signs with the app's secret, which the client pastes in; the others can
    /// take a generated one.
    pub fn secret_required(self) -> bool {
        self == Platform::Shopify
    }
}
