//! People who sign in to the portal: a user belongs to one organisation (the courier, or one
//! of its clients) and signs in with an email and a password kept as an argon2id hash.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};

use super::api_key::Role;
use super::ids::{ClientId, CourierId};
pub use super::team_role::TeamRole;
use super::{Email, Name, Phone};

/// A password as chosen: 12 to 128 characters (length beats composition rules).
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 12;
    pub const MAX: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let length = raw.chars().count();
        if length < Self::MIN {
            return Err(format!("must be at least {} characters", Self::MIN));
        }
        if length > Self::MAX {
            return Err(format!("must be at most {} characters", Self::MAX));
        }
        Ok(Self(raw.to_string()))
    }

    /// The argon2id PHC string (a random 16-byte salt from the OS generator, the crate's
    /// default cost: 19 MiB, 2 passes).
    pub fn hash(&self) -> String {
        Argon2::default()
            .hash_password(self.0.as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Does `candidate` match the stored hash? An unreadable hash matches nothing.
pub fn verify_password(stored_hash: &str, candidate: &str) -> bool {
    Argon2::default()
        .verify_password(candidate.as_bytes(), stored_hash)
        .is_ok()
}

/// A hash of nothing anyone knows: an unknown email is checked against it, so that it costs
/// the same time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| Password(super::token::random_secret()).hash())
}

/// The stored user (by its login email).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    pub email: Email,
    pub name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    pub password_hash: String,
    pub role: Role,
    /// The person's role in the organisation (`role` is the organisation's kind).
    #[serde(default)]
    pub team_role: TeamRole,
    pub courier_id: CourierId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

impl User {
    pub fn new_id() -> String {
        format!("usr_{}", ulid::Ulid::generate())
    }

    /// Invited and not signed in yet: no password set (nothing verifies against "").
    pub fn invited(&self) -> bool {
        self.password_hash.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_stored_before_team_roles_is_an_admin() {
        let stored = serde_json::json!({
            "userId": "usr_01HZX5V7B2M3N4P5Q6R7S8T9VW", "email": "pia@example.com",
            "name": "Pia", "passwordHash": "", "role": "client", "courierId": "cou_01J00000000000000000000000",
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
            "version": 1
        });
        let user: User = serde_json::from_value(stored).unwrap();
        assert_eq!(user.team_role, TeamRole::Admin);
        assert!(user.invited());
        assert_eq!(TeamRole::parse("member"), Some(TeamRole::Member));
        assert_eq!(TeamRole::parse("owner"), None);
    }

    #[test]
    fn passwords_have_a_length_and_verify_against_their_hash_only() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        let password = Password::parse("correct horse battery").unwrap();
        let hash = password.hash();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterz"));
        assert!(!verify_password("not a hash", "correct horse battery"));
        assert!(!verify_password(decoy_hash(), ""));
    }

    /// Stored hashes outlive the crate version that made them: this one was made by argon2
    /// 0.5.3 (`Password::hash`, the crate's default argon2id cost), and must keep verifying.
    #[test]
    fn a_hash_made_by_argon2_0_5_still_verifies() {
        let stored = "$argon2id$v=19$m=19456,t=2,p=1$jclVyqDpnCzYHhy3EM7XUQ$P7Z5vHWe/sGNav0uoSRlWh93KzqFG5VuIB87g3jKxPQ";
        assert!(verify_password(stored, "correct horse battery"));
        assert!(!verify_password(stored, "correct horse batterz"));
    }

    /// New hashes keep the PHC form and the cost of the hashes already stored.
    #[test]
    fn new_hashes_are_argon2id_at_the_stored_cost() {
        let hash = Password::parse("correct horse battery").unwrap().hash();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
}
