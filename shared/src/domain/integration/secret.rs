//! Signing secrets. They must stay usable for HMAC, so the store keeps them (never a hash)
//! and the API shows one only in the answer that generated it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::rand_core::UnwrapErr;
use rand::rngs::SysRng;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::platform::Platform;
use crate::domain::ids::next_ulid;

/// Prefix of Standard Webhooks secrets: `whsec_` + base64 of the key bytes.
pub const WHSEC_PREFIX: &str = "whsec_";
/// Random bytes in a generated secret (Standard Webhooks asks for 24 to 64).
const GENERATED_BYTES: usize = 32;
const MIN_WHSEC_BYTES: usize = 24;

/// A secret as a client sends it: 8 to 256 visible ASCII characters; for the generic
/// platform, a Standard Webhooks `whsec_` secret of at least 24 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct SecretText(String);

impl TryFrom<String> for SecretText {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        if !(8..=256).contains(&raw.len()) || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must be 8 to 256 visible ASCII characters (no spaces)".into());
        }
        Ok(Self(raw))
    }
}

impl SecretText {
    /// Checks the secret against what `platform` signs with.
    pub fn for_platform(self, platform: Platform) -> Result<Self, String> {
        if platform == Platform::Generic && whsec_key(&self.0).is_none() {
            return Err(format!(
                "must be a Standard Webhooks secret: {WHSEC_PREFIX} followed by base64 of at least {MIN_WHSEC_BYTES} bytes"
            ));
        }
        Ok(self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new secret: `whsec_` + base64 of 32 random bytes.
pub fn generate() -> SecretText {
    let mut bytes = [0u8; GENERATED_BYTES];
    UnwrapErr(SysRng).fill_bytes(&mut bytes);
    SecretText(format!("{WHSEC_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The key bytes of a `whsec_` secret, when it is one.
fn whsec_key(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix(WHSEC_PREFIX)?).ok()?;
    (key.len() >= MIN_WHSEC_BYTES).then_some(key)
}

/// One secret of an integration, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredSecret {
    /// `sec_…`: how the client names it to remove it.
    pub id: String,
    pub value: String,
    pub created_at: String,
}

impl StoredSecret {
    pub fn new(text: SecretText, created_at: String) -> Self {
        Self {
            id: format!("sec_{}", next_ulid()),
            value: text.0,
            created_at,
        }
    }

    /// The HMAC key: Shopify and WooCommerce key with the secret's text as it was pasted
    /// into the shop (WooCommerce's `hash_hmac` takes the string, so a generated `whsec_`
    /// secret is used as text there too); Standard Webhooks with the decoded bytes.
    pub fn key(&self, platform: Platform) -> Vec<u8> {
        match platform {
            Platform::Generic => {
                whsec_key(&self.value).unwrap_or_else(|| self.value.as_bytes().to_vec())
            }
            Platform::Shopify | Platform::Woocommerce => self.value.as_bytes().to_vec(),
        }
    }

    /// What the API shows of it: never the value.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({ "id": self.id, "createdAt": self.created_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_follow_standard_webhooks() {
        let secret = generate();
        let key = whsec_key(secret.as_str()).unwrap();
        assert_eq!(key.len(), 32);
        assert_ne!(generate(), secret);
        let stored = StoredSecret::new(secret.clone(), "t".into());
        assert_eq!(stored.key(Platform::Generic), key);
        assert_eq!(
            stored.key(Platform::Woocommerce),
            secret.as_str().as_bytes()
        );
    }

    #[test]
    fn pasted_secrets_are_checked() {
        let text = |s: &str| SecretText::try_from(s.to_string());
        assert!(text("short").is_err());
        assert!(text("has a space in it").is_err());
        assert!(text("00000000000000000000000000000000").is_ok());
        let plain = text("00000000000000000000000000000000").unwrap();
        assert!(plain.clone().for_platform(Platform::Shopify).is_ok());
        assert!(plain.for_platform(Platform::Generic).is_err());
        // Standard Webhooks' own example secret (24 bytes).
        let whsec = text("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert!(whsec.for_platform(Platform::Generic).is_ok());
        let too_short = text("whsec_c2hvcnQ=").unwrap();
        assert!(too_short.for_platform(Platform::Generic).is_err());
    }
}
