//! A person's role in their organisation (beside the organisation's kind, courier or
//! client): what an admin may do that a member may not.

use serde::{Deserialize, Serialize};

/// A person's role in their organisation. `Admin`: people, API keys, integrations and the
/// organisation's settings as well as everything a member does; `Member`: orders, drafts,
/// imports and chat. A user stored before roles existed was its organisation's only person,
/// so it reads as an admin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TeamRole {
    #[default]
    Admin,
    Member,
}

impl TeamRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Admin => "admin",
            TeamRole::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(TeamRole::Admin),
            "member" => Some(TeamRole::Member),
            _ => None,
        }
    }
}
