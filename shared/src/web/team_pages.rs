//! `GET /settings/team`: the people of the signed-in organisation (a courier's, or a
//! client's), for its admins: each with their role in words, changed in the row, removed
//! after a confirmation step (`?remove={userId}`), and a form to invite someone. Forms:
//! `POST /settings/team` (invite), `POST /settings/team/{userId}/role`,
//! `POST /settings/team/{userId}/remove`; each onto the use case the JSON API runs too
//! (`accounts::team`), so its rules (an email taken once, never no admin) hold here too. A
//! member gets the 403 "Admins only" page; an error is shown next to the field it concerns,
//! or above the list (the last admin, in the use case's words).

use askama::Template;

use super::reader::reader;
use super::{
    capitalise, field, form, html, not_found, redirect, signed_in_admin, signed_in_admin_post,
    Brand,
};
use crate::accounts::error::AccountError;
use crate::accounts::session::presented;
use crate::accounts::team::{self, Invite, Person};
use crate::domain::api_key::Principal;
use crate::domain::user::TeamRole;
use crate::domain::{Email, Name};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

/// What the page lists at once (a link reads the next ones).
const LISTED: u32 = 50;

/// The roles a person can be given, as the select offers them.
const ROLES: [(&str, &str); 2] = [("member", "Member"), ("admin", "Admin")];

pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    /// The role's value in the select (`admin`, `member`).
    pub role: &'static str,
    /// The role in words ("Admin").
    pub role_words: &'static str,
    pub invited: bool,
    /// The signed-in person themself.
    pub you: bool,
}

/// The person a removal asks to confirm.
pub struct Confirm {
    pub id: String,
    pub name: String,
    pub email: String,
    pub you: bool,
}

/// What the invite form holds: what was typed, and each field's error.
#[derive(Default)]
pub struct InviteForm {
    pub email: String,
    pub name: String,
    pub role: String,
    pub email_error: Option<String>,
    pub name_error: Option<String>,
    pub role_error: Option<String>,
}

#[derive(Template)]
#[template(path = "web/settings_team.html")]
struct TeamPage {
    client_name: Brand,
    people: Vec<PersonRow>,
    next_cursor: Option<String>,
    confirm: Option<Confirm>,
    notice: Option<String>,
    alert: Option<String>,
    invite: InviteForm,
    roles: [(&'static str, &'static str); 2],
}

fn role_words(role: TeamRole) -> &'static str {
    match role {
        TeamRole::Admin => "Admin",
        TeamRole::Member => "Member",
    }
}

/// The signed-in person's user id (their session cookie names it).
fn own_id(req: &ApiRequest) -> String {
    presented(&req.headers)
        .map(|(user_id, _)| user_id)
        .unwrap_or_default()
}

fn row(person: &Person, you: &str) -> PersonRow {
    PersonRow {
        id: person.user_id.clone(),
        name: person.name.clone(),
        email: person.email.clone(),
        role: person.team_role.as_str(),
        role_words: role_words(person.team_role),
        invited: person.invited,
        you: person.user_id == you,
    }
}

/// The page with the organisation's people from `cursor` on.
async fn team_page(
    ctx: &Ctx,
    principal: &Principal,
    you: &str,
    cursor: Option<&str>,
) -> Result<TeamPage, ApiError> {
    let page = team::list_people(ctx, principal, LISTED, cursor).await?;
    // A client's name came with its session; a courier's person reads the courier's.
    let brand = match principal.client_id {
        Some(_) => Brand::of(principal),
        None => Brand::named(reader(ctx, principal).await?.0, principal),
    };
    Ok(TeamPage {
        client_name: brand,
        people: page.people.iter().map(|p| row(p, you)).collect(),
        next_cursor: page.next_cursor,
        confirm: None,
        notice: None,
        alert: None,
        invite: InviteForm {
            role: "member".into(),
            ..InviteForm::default()
        },
        roles: ROLES,
    })
}

pub async fn team_settings_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin(ctx, &req).await? {
        Ok(p) => p,
        Err(refused) => return Ok(refused),
    };
    let you = own_id(&req);
    let cursor = req.query_param("cursor").filter(|c| !c.is_empty());
    let mut page = team_page(ctx, &principal, &you, cursor).await?;
    if let Some(user_id) = req.query_param("remove").filter(|r| !r.is_empty()) {
        match team::person(ctx, &principal, user_id).await {
            Ok(user) => {
                page.confirm = Some(Confirm {
                    id: user.user_id.clone(),
                    name: user.name.to_string(),
                    email: user.email.to_string(),
                    you: user.user_id == you,
                })
            }
            Err(AccountError::UserNotFound) => return Ok(not_found(true)),
            Err(e) => return Err(e.into()),
        }
    }
    page.notice = match req.query_param("done") {
        Some("role") => Some("Role changed.".to_string()),
        Some("removed") => Some("Removed from the team.".to_string()),
        _ => None,
    };
    if let Some(invited) = req.query_param("invited") {
        if let Some(person) = page.people.iter().find(|p| p.id == invited) {
            page.notice = Some(format!("Invitation sent to {}.", person.email));
        }
    }
    Ok(html(200, &page))
}

pub async fn invite_teammate_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(refused) => return Ok(refused),
    };
    let values = form(&req);
    let mut typed = InviteForm {
        email: field(&values, "email").trim().to_string(),
        name: field(&values, "name").trim().to_string(),
        role: field(&values, "role").to_string(),
        ..InviteForm::default()
    };
    let email = match typed.email.as_str() {
        "" => Err("Email is required".to_string()),
        raw => Email::parse(raw).map_err(|e| format!("Email {e}")),
    };
    let name = match typed.name.as_str() {
        "" => Err("Name is required".to_string()),
        raw => Name::parse(raw).map_err(|e| format!("Name {e}")),
    };
    let role = TeamRole::parse(&typed.role).ok_or_else(|| "Choose Admin or Member".to_string());
    let (status, alert) = match (email, name, role) {
        (Ok(email), Ok(name), Ok(team_role)) => {
            let invite = Invite {
                email,
                name,
                team_role,
            };
            match team::invite_person(ctx, &principal, invite, &ctx.base_url(&req)).await {
                Ok(person) => {
                    return Ok(redirect(&format!(
                        "/settings/team?invited={}",
                        person.user_id
                    )))
                }
                Err(e @ AccountError::EmailTaken) => {
                    typed.email_error = Some(capitalise(&e.to_string()));
                    (409, None)
                }
                Err(e @ AccountError::InvitationNotSent { .. }) => {
                    (503, Some(format!("Not invited: {}.", e)))
                }
                Err(e) => return Err(e.into()),
            }
        }
        (email, name, role) => {
            typed.email_error = email.err();
            typed.name_error = name.err();
            typed.role_error = role.err();
            (422, None)
        }
    };
    let mut page = team_page(ctx, &principal, &own_id(&req), None).await?;
    page.invite = typed;
    page.alert = alert;
    Ok(html(status, &page))
}

pub async fn change_teammate_role_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(refused) => return Ok(refused),
    };
    let user_id = req.path_param("userId")?;
    let you = own_id(&req);
    let values = form(&req);
    let Some(role) = TeamRole::parse(field(&values, "role")) else {
        return refused(
            ctx,
            &principal,
            &you,
            422,
            "Not changed: choose Admin or Member.".into(),
        )
        .await;
    };
    match team::change_role(ctx, &principal, user_id, role).await {
        // Yourself made a member: the team page is no longer yours to see.
        Ok(_) if user_id == you && role == TeamRole::Member => Ok(redirect("/settings/user")),
        Ok(_) => Ok(redirect("/settings/team?done=role")),
        Err(e) => match Refusal::of(e)? {
            Refusal::NotFound => Ok(not_found(true)),
            Refusal::Said(message) => {
                refused(
                    ctx,
                    &principal,
                    &you,
                    409,
                    format!("Not changed: {message}."),
                )
                .await
            }
        },
    }
}

pub async fn remove_teammate_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(refused) => return Ok(refused),
    };
    let user_id = req.path_param("userId")?;
    let you = own_id(&req);
    match team::remove_person(ctx, &principal, user_id).await {
        // Your own sessions ended with you.
        Ok(()) if user_id == you => Ok(redirect("/login")),
        Ok(()) => Ok(redirect("/settings/team?done=removed")),
        Err(e) => match Refusal::of(e)? {
            Refusal::NotFound => Ok(not_found(true)),
            Refusal::Said(message) => {
                refused(
                    ctx,
                    &principal,
                    &you,
                    409,
                    format!("Not removed: {message}."),
                )
                .await
            }
        },
    }
}

/// The page again, with why a form was refused above the list.
async fn refused(
    ctx: &Ctx,
    principal: &Principal,
    you: &str,
    status: u16,
    alert: String,
) -> ApiResult {
    let mut page = team_page(ctx, principal, you, None).await?;
    page.alert = Some(alert);
    Ok(html(status, &page))
}

/// Why a change of role or a removal was not applied, as the page shows it.
enum Refusal {
    /// No such person of the organisation's.
    NotFound,
    /// The use case's own words (the last admin; the person changed meanwhile).
    Said(String),
}

impl Refusal {
    /// The one place an [`AccountError`] of these forms becomes words on the page;
    /// anything else answers as the API would.
    fn of(e: AccountError) -> Result<Self, ApiError> {
        Ok(match e {
            AccountError::UserNotFound => Refusal::NotFound,
            AccountError::LastAdmin | AccountError::AccountChanged => Refusal::Said(e.to_string()),
            e => return Err(e.into()),
        })
    }
}
