//! `GET /settings/teams`: a courier's teams (newest first), each renamed in place, deleted
//! after a confirmation step (`?delete={teamId}`), and a form for a new one. Forms:
//! `POST /settings/teams`, `POST /settings/teams/{teamId}` (rename),
//! `POST /settings/teams/{teamId}/delete`; each onto the use case the JSON API runs too
//! (`teams`), so the API's rules (unique names, teams in use kept) hold here too. A
//! client's person finds nothing here (404); an error is shown next to the name it concerns,
//! or above the list (a team in use names the clients whose auto-assign rule has it).

use askama::Template;

use super::format::local;
use super::reader::reader;
use super::{field, form, html, not_found, redirect, signed_in, signed_in_post, Brand};
use crate::domain::api_key::Principal;
use crate::domain::Name;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::teams::{self, RenameTeam, TeamError};
use crate::Ctx;

/// What the page lists at once (a link reads the next ones).
const LISTED: u32 = 50;

pub struct TeamRow {
    pub id: String,
    pub name: String,
    /// What the rename input holds: the name, or what was typed.
    pub value: String,
    pub version: u64,
    pub created: String,
    pub error: Option<String>,
}

/// The team a delete asks to confirm.
pub struct Confirm {
    pub id: String,
    pub name: String,
    pub version: u64,
}

#[derive(Template)]
#[template(path = "web/settings_teams.html")]
struct TeamsPage {
    client_name: Brand,
    teams: Vec<TeamRow>,
    next_cursor: Option<String>,
    confirm: Option<Confirm>,
    notice: Option<&'static str>,
    alert: Option<String>,
    new_name: String,
    new_name_error: Option<String>,
}

impl TeamsPage {
    /// Puts an error next to a team's name, with what was typed.
    fn row_error(&mut self, team_id: &str, typed: &str, message: String) {
        match self.teams.iter_mut().find(|t| t.id == team_id) {
            Some(row) => {
                row.value = typed.to_string();
                row.error = Some(message);
            }
            None => self.alert = Some(format!("Not renamed: name {message}")),
        }
    }
}

/// The page for a courier's person (`None` for a client's: not found), its teams from
/// `cursor` on.
async fn teams_page(
    ctx: &Ctx,
    principal: &Principal,
    cursor: Option<&str>,
) -> Result<Option<TeamsPage>, ApiError> {
    if teams::courier_of(principal).is_err() {
        return Ok(None);
    }
    let (courier_name, zone) = reader(ctx, principal).await?;
    let page = teams::list_teams(ctx, principal, LISTED, cursor).await?;
    Ok(Some(TeamsPage {
        client_name: Brand::named(courier_name, principal),
        teams: page
            .teams
            .into_iter()
            .map(|t| TeamRow {
                id: t.id.to_string(),
                name: t.name.to_string(),
                value: t.name.to_string(),
                version: t.version,
                created: local(&t.created_at, zone.tz()),
                error: None,
            })
            .collect(),
        next_cursor: page.next_cursor,
        confirm: None,
        notice: None,
        alert: None,
        new_name: String::new(),
        new_name_error: None,
    }))
}

/// A name as typed: required, and one line of at most 200 characters.
fn typed_name(raw: &str) -> Result<Name, String> {
    match raw.trim() {
        "" => Err("is required".into()),
        name => Name::parse(name),
    }
}

/// The version a form read, if it sends one.
fn form_version(values: &[(String, String)]) -> Option<u64> {
    field(values, "version").trim().parse().ok()
}

pub async fn teams_settings_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let cursor = req.query_param("cursor").filter(|c| !c.is_empty());
    let Some(mut page) = teams_page(ctx, &principal, cursor).await? else {
        return Ok(not_found(true));
    };
    if let Some(team_id) = req.query_param("delete").filter(|d| !d.is_empty()) {
        match teams::load_team(ctx, &principal, team_id).await {
            Ok(team) => {
                page.confirm = Some(Confirm {
                    id: team.id.to_string(),
                    name: team.name.to_string(),
                    version: team.version,
                })
            }
            Err(TeamError::NotFound) => return Ok(not_found(true)),
            Err(e) => return Err(e.into()),
        }
    }
    page.notice = match req.query_param("done") {
        Some("created") => Some("Team created."),
        Some("renamed") => Some("Team renamed."),
        Some("deleted") => Some("Team deleted."),
        _ => None,
    };
    Ok(html(200, &page))
}

pub async fn create_team_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let typed = field(&values, "name").to_string();
    let refused = match typed_name(&typed) {
        Err(message) => Refused::Name(422, message),
        Ok(name) => match teams::create_team(ctx, &principal, name).await {
            Ok(_) => return Ok(redirect("/settings/teams?done=created")),
            Err(e) => Refused::of(e)?,
        },
    };
    let Some(mut page) = teams_page(ctx, &principal, None).await? else {
        return Ok(not_found(true));
    };
    page.new_name = typed;
    Ok(match refused {
        Refused::NotFound => not_found(true),
        Refused::Name(status, message) => {
            page.new_name_error = Some(message);
            html(status, &page)
        }
        Refused::Alert(message) => {
            page.alert = Some(format!("Not created: {message}."));
            html(409, &page)
        }
    })
}

pub async fn rename_team_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let team_id = req.path_param("teamId")?;
    let values = form(&req);
    let typed = field(&values, "name").to_string();
    let refused = match typed_name(&typed) {
        Err(message) => Refused::Name(422, message),
        Ok(name) => {
            let rename = RenameTeam {
                by: &principal,
                team_id,
                name,
                expected_version: form_version(&values),
            };
            match teams::rename_team(ctx, rename).await {
                Ok(_) => return Ok(redirect("/settings/teams?done=renamed")),
                Err(e) => Refused::of(e)?,
            }
        }
    };
    let Some(mut page) = teams_page(ctx, &principal, None).await? else {
        return Ok(not_found(true));
    };
    Ok(match refused {
        Refused::NotFound => not_found(true),
        Refused::Name(status, message) => {
            page.row_error(team_id, &typed, message);
            html(status, &page)
        }
        Refused::Alert(message) => {
            page.alert = Some(format!(
                "Not renamed: {message}. Reload the page and try again."
            ));
            html(409, &page)
        }
    })
}

pub async fn delete_team_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let team_id = req.path_param("teamId")?;
    let refused = match teams::delete_team(ctx, &principal, team_id, form_version(&values)).await {
        Ok(()) => return Ok(redirect("/settings/teams?done=deleted")),
        Err(e) => Refused::of(e)?,
    };
    let Some(mut page) = teams_page(ctx, &principal, None).await? else {
        return Ok(not_found(true));
    };
    Ok(match refused {
        Refused::NotFound => not_found(true),
        Refused::Name(_, message) | Refused::Alert(message) => {
            page.alert = Some(format!("Not deleted: {message}."));
            html(409, &page)
        }
    })
}

/// Why a form was not applied, as the page shows it.
enum Refused {
    /// No such team of the courier's, or a client's person: the page is not theirs.
    NotFound,
    /// Next to the name (its status: 422 not a name, 409 another team's).
    Name(u16, String),
    /// Above the list: changed meanwhile, or in use (naming the clients).
    Alert(String),
}

impl Refused {
    /// The one place a [`TeamError`] of a form becomes words on the page; anything else
    /// answers as the API would.
    fn of(e: TeamError) -> Result<Self, ApiError> {
        let message = e.to_string();
        Ok(match e {
            TeamError::NotFound | TeamError::CouriersOnly => Refused::NotFound,
            TeamError::NameTaken(_) => Refused::Name(409, "is already another team's".into()),
            TeamError::Stale { .. } | TeamError::ChangedMeanwhile | TeamError::InUse { .. } => {
                Refused::Alert(message)
            }
            // Another request wrote the same items at the same time.
            TeamError::Store(e) if e.is_conflict() => Refused::Alert(ApiError::from(e).to_string()),
            e => return Err(e.into()),
        })
    }
}
