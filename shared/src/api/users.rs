//! `POST|GET /v1/users`, `PATCH|DELETE /v1/users/{userId}`: the people of the caller's
//! organisation, for its admins (an API key acts as an admin).

use serde::Deserialize;
use serde_json::json;

use super::records::listing;
use crate::accounts::team::{self, Invite, Person};
use crate::domain::user::TeamRole;
use crate::domain::{Email, Name};
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    email: Email,
    name: Name,
    role: TeamRole,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: TeamRole,
}

pub async fn create_user(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let body: NewUserBody = req.json()?;
    let invite = Invite {
        email: body.email,
        name: body.name,
        team_role: body.role,
    };
    let person = team::invite_person(ctx, who, invite, &ctx.base_url(&req)).await?;
    Ok(ApiResponse::created(&view(&person)))
}

pub async fn list_users(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = team::list_people(ctx, who, limit, req.query_param("cursor")).await?;
    let views = page.people.iter().map(view).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

pub async fn update_user(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let user_id = req.path_param("userId")?;
    let body: RoleBody = req.json()?;
    let person = team::change_role(ctx, who, user_id, body.role).await?;
    Ok(ApiResponse::ok(&view(&person)))
}

pub async fn delete_user(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    team::remove_person(ctx, who, req.path_param("userId")?).await?;
    Ok(ApiResponse::no_content())
}

pub fn view(person: &Person) -> serde_json::Value {
    json!({
        "id": person.user_id,
        "email": person.email,
        "name": person.name,
        "role": person.team_role,
        "status": if person.invited { "invited" } else { "active" },
        "createdAt": person.created_at,
    })
}
