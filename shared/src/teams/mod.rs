//! A courier's teams, which the JSON API (`api::teams`) and the teams settings page both
//! list, create, rename and delete through here; and what a client's auto-assign rule and a
//! task's assignment write or read so that they only ever name one of them.
//!
//! A team's name is unique per courier through a marker item written in the same
//! transaction. A client whose auto-assign rule names a team has a usage item under the
//! team (`keys::team_client`), written with the client; giving a team to a client moves the
//! team's version on, so a deletion that read no usage fails if one was written meanwhile.

pub mod error;

pub use error::{TeamClient, TeamError};

use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::team::Team;
use crate::domain::{Name, TeamId};
use crate::store::pages::list_page;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Query, StoreError, Update, Write, PK};
use crate::Ctx;

/// How many of the clients using a team a refused deletion names.
pub const NAMED_CLIENTS: usize = 5;

/// The caller's courier: teams are the courier's alone.
pub fn courier_of(who: &Principal) -> Result<&CourierId, TeamError> {
    match who.role {
        Role::Courier => Ok(&who.courier_id),
        Role::Client => Err(TeamError::CouriersOnly),
    }
}

/// One page of the courier's teams, newest first.
pub struct TeamPage {
    pub teams: Vec<Team>,
    pub next_cursor: Option<String>,
}

pub async fn list_teams(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    cursor: Option<&str>,
) -> Result<TeamPage, TeamError> {
    let courier = courier_of(who)?;
    let query = Query::partition(keys::courier_pk(courier.as_str()))
        .sk_begins_with(keys::TEAM_PREFIX)
        .descending();
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let teams = items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Team>, _>>()?;
    Ok(TeamPage { teams, next_cursor })
}

/// The courier's team; another courier's, or an id that is not a team's, is not found.
pub async fn load_team(ctx: &Ctx, who: &Principal, raw_id: &str) -> Result<Team, TeamError> {
    let courier = courier_of(who)?;
    let id = TeamId::parse(raw_id)
        .ok()
        .filter(TeamId::is_generated)
        .ok_or(TeamError::NotFound)?;
    let item = ctx
        .store
        .get(&keys::team(courier.as_str(), id.as_str()))
        .await?
        .ok_or(TeamError::NotFound)?;
    Ok(from_item(item)?)
}

/// A new team: the team and its name's marker in one transaction.
pub async fn create_team(ctx: &Ctx, who: &Principal, name: Name) -> Result<Team, TeamError> {
    let courier = courier_of(who)?;
    let now = timestamp(ctx.now());
    let team = Team {
        id: TeamId::generate(),
        courier_id: courier.clone(),
        name,
        version: 1,
        created_at: now.clone(),
        updated_at: now,
    };
    let writes = vec![
        Write::Put {
            item: to_item(&team, &team_key(&team), "Team")?,
            cond: Some(Cond::not_exists(PK)),
        },
        name_marker(&team)?,
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(1) {
            TeamError::NameTaken(team.name.to_string())
        } else {
            e.into()
        }
    })?;
    Ok(team)
}

/// A team's new name. `expected_version`: the version the caller read, if it says.
pub struct RenameTeam<'a> {
    pub by: &'a Principal,
    pub team_id: &'a str,
    pub name: Name,
    pub expected_version: Option<u64>,
}

/// Renames a team (version condition); a name that differs by more than its case moves the
/// name's marker in the same transaction.
pub async fn rename_team(ctx: &Ctx, cmd: RenameTeam<'_>) -> Result<Team, TeamError> {
    let team = load_team(ctx, cmd.by, cmd.team_id).await?;
    if cmd.expected_version.is_some_and(|v| v != team.version) {
        return Err(TeamError::Stale {
            current: team.version,
        });
    }
    if cmd.name == team.name {
        return Ok(team);
    }
    let renamed = Team {
        name: cmd.name,
        version: team.version + 1,
        updated_at: timestamp(ctx.now()),
        ..team.clone()
    };
    let key = team_key(&team);
    let update = Update::new()
        .set("name", renamed.name.as_str())
        .set("updatedAt", renamed.updated_at.as_str())
        .increment("version", 1);
    let cond = Cond::eq("version", team.version);
    let stale = || TeamError::Stale {
        current: team.version + 1,
    };
    let courier = team.courier_id.as_str();
    if renamed.name.as_str().to_lowercase() == team.name.as_str().to_lowercase() {
        ctx.store
            .update(&key, &update, Some(cond))
            .await
            .map_err(|e| match e {
                StoreError::ConditionFailed { .. } => stale(),
                e => e.into(),
            })?;
        return Ok(renamed);
    }
    let writes = vec![
        Write::Update {
            key,
            update,
            cond: Some(cond),
        },
        name_marker(&renamed)?,
        Write::Delete {
            key: keys::team_name(courier, team.name.as_str()),
            cond: Some(Cond::eq("teamId", team.id.as_str())),
        },
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(1) {
            TeamError::NameTaken(renamed.name.to_string())
        } else if e.condition_failed_at(0) {
            stale()
        } else {
            e.into()
        }
    })?;
    Ok(renamed)
}

/// Deletes a team no client's auto-assign rule names (409 `in_use` naming them otherwise),
/// with its name's marker. One Query of the team's usage items; naming the clients that use
/// it reads them in one BatchGetItem.
pub async fn delete_team(
    ctx: &Ctx,
    who: &Principal,
    team_id: &str,
    expected_version: Option<u64>,
) -> Result<(), TeamError> {
    let team = load_team(ctx, who, team_id).await?;
    if expected_version.is_some_and(|v| v != team.version) {
        return Err(TeamError::Stale {
            current: team.version,
        });
    }
    let courier = team.courier_id.as_str();
    let used = ctx
        .store
        .query(
            &Query::partition(keys::courier_pk(courier))
                .sk_begins_with(keys::team_clients_prefix(team.id.as_str()))
                .limit(NAMED_CLIENTS as u32 + 1),
        )
        .await?;
    if !used.items.is_empty() {
        return Err(in_use(ctx, courier, used.items).await);
    }
    let writes = vec![
        // Giving the team to a client moves its version on: this condition closes that race.
        Write::Delete {
            key: team_key(&team),
            cond: Some(Cond::eq("version", team.version)),
        },
        Write::Delete {
            key: keys::team_name(courier, team.name.as_str()),
            cond: Some(Cond::eq("teamId", team.id.as_str())),
        },
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            TeamError::ChangedMeanwhile
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// The refusal of a deletion, naming the first clients of the team's usage items.
async fn in_use(ctx: &Ctx, courier: &str, usages: Vec<crate::store::Item>) -> TeamError {
    let more = usages.len() > NAMED_CLIENTS;
    let ids: Vec<ClientId> = usages
        .iter()
        .filter_map(|u| u.get("clientId")?.as_str())
        .filter_map(|id| ClientId::parse(id).ok())
        .take(NAMED_CLIENTS)
        .collect();
    let clients = match crate::store::clients::names(ctx.store.as_ref(), courier, ids).await {
        Ok(named) => named,
        Err(e) => return e.into(),
    };
    TeamError::InUse { clients, more }
}

fn team_key(team: &Team) -> crate::store::Key {
    keys::team(team.courier_id.as_str(), team.id.as_str())
}

/// The marker that holds the team's name for it (the put fails when another team has it).
fn name_marker(team: &Team) -> Result<Write, StoreError> {
    Ok(Write::Put {
        item: to_item(
            &serde_json::json!({ "teamId": team.id }),
            &keys::team_name(team.courier_id.as_str(), team.name.as_str()),
            "TeamName",
        )?,
        cond: Some(Cond::not_exists(PK)),
    })
}

/// Whether `team` is one of the courier's teams: one GetItem (none for an id the portal
/// never gives a team).
pub async fn is_team(ctx: &Ctx, courier_id: &str, team: &TeamId) -> Result<bool, StoreError> {
    if !team.is_generated() {
        return Ok(false);
    }
    Ok(ctx
        .store
        .get(&keys::team(courier_id, team.as_str()))
        .await?
        .is_some())
}

/// The writes that give `team` to `client`'s auto-assign rule, for its own transaction:
/// first the team's version moved on, on a team that exists (this write fails when the
/// courier has no such team), then the usage item. `None` for an id the portal never gives
/// a team: no write can make it one.
pub fn assign(
    courier_id: &str,
    team: &TeamId,
    client: &ClientId,
) -> Result<Option<[Write; 2]>, StoreError> {
    if !team.is_generated() {
        return Ok(None);
    }
    let usage = to_item(
        &serde_json::json!({ "teamId": team, "clientId": client }),
        &keys::team_client(courier_id, team.as_str(), client.as_str()),
        "TeamClient",
    )?;
    Ok(Some([
        Write::Update {
            key: keys::team(courier_id, team.as_str()),
            update: Update::new().increment("version", 1),
            cond: Some(Cond::exists(PK)),
        },
        Write::Put {
            item: usage,
            cond: None,
        },
    ]))
}

/// The write that takes `team` off `client`'s auto-assign rule: its usage item deleted
/// (unconditionally: an id made up before teams existed has none).
pub fn unassign(courier_id: &str, team: &TeamId, client: &ClientId) -> Write {
    Write::Delete {
        key: keys::team_client(courier_id, team.as_str(), client.as_str()),
        cond: None,
    }
}
