//! A courier's teams: `GET|POST /v1/teams`, `PATCH|DELETE /v1/teams/{teamId}`, onto the
//! use cases in `teams`. A client's key is refused (403).

use serde::Deserialize;

use super::records::listing;
use crate::domain::Name;
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::teams::{self, RenameTeam};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    name: Name,
}

pub async fn create_team(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let body: NewTeam = req.json()?;
    let team = teams::create_team(ctx, who, body.name).await?;
    Ok(ApiResponse::created(&team.view())
        .with_header("location", &format!("/v1/teams/{}", team.id)))
}

/// The courier's teams, newest first, paginated.
pub async fn list_teams(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = teams::list_teams(ctx, who, limit, req.query_param("cursor")).await?;
    let views = page.teams.iter().map(|t| t.view()).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamPatch {
    name: Name,
    /// Optimistic concurrency: the version the caller last read (or `If-Match`).
    #[serde(default)]
    version: Option<u64>,
}

pub async fn update_team(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let patch: TeamPatch = req.json()?;
    let team = teams::rename_team(
        ctx,
        RenameTeam {
            by: who,
            team_id: req.path_param("teamId")?,
            name: patch.name,
            expected_version: req.expected_version(patch.version)?,
        },
    )
    .await?;
    Ok(ApiResponse::ok(&team.view()).with_header("etag", &format!("\"{}\"", team.version)))
}

/// Deletes a team no client's auto-assign rule names (409 `in_use` naming them otherwise).
pub async fn delete_team(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let expected = req.expected_version(None)?;
    teams::delete_team(ctx, who, req.path_param("teamId")?, expected).await?;
    Ok(ApiResponse::no_content())
}
