//! A courier's team: what a client's auto-assign rule and a task's assignment name.

use serde::{Deserialize, Serialize};

use super::ids::CourierId;
use super::{Name, TeamId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    pub id: TeamId,
    pub courier_id: CourierId,
    /// Unique per courier, whatever its case (a name marker holds it).
    pub name: Name,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

impl Team {
    /// The team as the API shows it.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}
