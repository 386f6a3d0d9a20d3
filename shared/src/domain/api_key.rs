//! API keys: `courier_sk_…` or `client_sk_…` followed by 256 random bits. Shown once;
//! the store keeps the SHA-256 hash, the readable prefix and a label.

use serde::{Deserialize, Serialize};

use super::ids::{ClientId, CourierId, KeyId};
use super::team_role::TeamRole;
use super::token;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Courier,
    Client,
}

impl Role {
    pub fn key_prefix(self) -> &'static str {
        match self {
            Role::Courier => "courier_sk_",
            Role::Client => "client_sk_",
        }
    }
}

/// Who a request acts for, as resolved by the authorizer from its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub role: Role,
    pub courier_id: CourierId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    pub key_id: KeyId,
    /// For a client: its name and auto-assign team, as the authorizer read them, so that
    /// creating an order needs no read of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_assign_team_id: Option<String>,
    /// For a client: whether it has services (its orders are quoted), so that a client
    /// without services creates orders without reading its pricing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub has_services: bool,
    /// For a client: its logo (organisation settings `logoUrl`), for the portal's header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// The signed-in person's role in the organisation; an API key acts as an admin (only
    /// an admin can issue one).
    #[serde(default)]
    pub team_role: TeamRole,
    /// A signed-in person's unread chat messages, read once per page (`web::signed_in`)
    /// for the main navigation; never in the authorizer's context.
    #[serde(skip)]
    pub unread_messages: u64,
}

/// A member asked for what only an organisation's admins may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminsOnly;

impl std::error::Error for AdminsOnly {}

impl std::fmt::Display for AdminsOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "only an admin of the organisation can manage people, API keys, integrations and settings",
        )
    }
}

impl Principal {
    /// The organisation that owns the key: the courier, or the client.
    pub fn org_id(&self) -> &str {
        match &self.client_id {
            Some(client) => client.as_str(),
            None => self.courier_id.as_str(),
        }
    }

    /// The one check of an admin-only route or page: the principal, when it is an admin's.
    pub fn admin(&self) -> Result<&Self, AdminsOnly> {
        match self.team_role {
            TeamRole::Admin => Ok(self),
            TeamRole::Member => Err(AdminsOnly),
        }
    }
}

/// A freshly generated key: the secret is only ever in this value and in one response.
pub struct NewApiKey {
    pub id: KeyId,
    pub secret: String,
}

impl NewApiKey {
    pub fn generate(role: Role) -> Self {
        Self {
            id: KeyId::generate(),
            secret: format!("{}{}", role.key_prefix(), token::random_secret()),
        }
    }

    pub fn hash(&self) -> String {
        token::hash(&self.secret)
    }

    /// What listings show: the type prefix and the first four characters of the secret.
    pub fn display_prefix(&self) -> String {
        display_prefix(&self.secret)
    }
}

pub fn display_prefix(secret: &str) -> String {
    let random_start = secret.rfind("_sk_").map(|i| i + 4).unwrap_or(0);
    secret.chars().take(random_start + 4).collect()
}

/// The role a presented key claims, when it is shaped like one of ours.
pub fn claimed_role(presented: &str) -> Option<Role> {
    [Role::Courier, Role::Client].into_iter().find(|role| {
        presented
            .strip_prefix(role.key_prefix())
            .is_some_and(token::well_formed)
    })
}

/// The stored record of a key (both the authorizer's item and the organisation's listing item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyRecord {
    pub id: KeyId,
    pub role: Role,
    pub courier_id: CourierId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    pub prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub hash: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl ApiKeyRecord {
    pub fn principal(&self) -> Principal {
        Principal {
            role: self.role,
            courier_id: self.courier_id.clone(),
            client_id: self.client_id.clone(),
            key_id: self.id.clone(),
            client_name: None,
            auto_assign_team_id: None,
            has_services: false,
            logo_url: None,
            team_role: TeamRole::Admin,
            unread_messages: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_their_role_and_hide_their_secret() {
        let key = NewApiKey::generate(Role::Client);
        assert_eq!(claimed_role(&key.secret), Some(Role::Client));
        assert!(key.display_prefix().starts_with("client_sk_"));
        assert_eq!(key.display_prefix().len(), "client_sk_".len() + 4);
        assert_eq!(claimed_role("courier_sk_short"), None);
        assert_eq!(
            claimed_role(&key.secret.replace("client_", "courier_")),
            Some(Role::Courier)
        );
    }
}
