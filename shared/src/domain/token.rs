//! Secrets handed to people (API keys, invitation and confirmation tokens): 256 random bits,
//! URL-safe; only their SHA-256 hash is ever stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rand_core::UnwrapErr;
use rand::rngs::SysRng;
use rand::Rng;
use sha2::{Digest, Sha256};

/// 32 random bytes from the OS generator, base64url without padding (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    UnwrapErr(SysRng).fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A tracking-page token: 128 random bits (22 characters), unguessable yet short enough
/// to leave room in a one-segment SMS.
pub fn tracking_token() -> String {
    let mut bytes = [0u8; 16];
    UnwrapErr(SysRng).fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A tracking token as it arrives in a URL, or nothing.
pub fn well_formed_tracking(token: &str) -> bool {
    token.len() == 22
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Hex SHA-256 of a secret: what the store keeps and looks secrets up by.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A token as it arrives in a URL: base64url characters of the right length, or nothing.
pub fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_unique_and_hashed() {
        let (a, b) = (random_secret(), random_secret());
        assert_ne!(a, b);
        assert!(well_formed(&a));
        assert!(well_formed_tracking(&tracking_token()));
        assert_ne!(tracking_token(), tracking_token());
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
