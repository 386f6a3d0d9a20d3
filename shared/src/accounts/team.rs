//! An organisation's people (a courier's, or a client's): an admin invites someone by
//! email with a role, lists the people, changes a role, removes a person. The invited
//! person chooses a password through a set-password link ([`Purpose::Setup`]: single use,
//! [`SETUP_DAYS`]). The organisation's admins are counted in one item, and every removal
//! or demotion of an admin is conditioned on that count staying above zero, so two admins
//! demoting each other at once cannot leave none. A removed person's sessions end at once;
//! a change of role reaches their open sessions. The JSON API (`api::users`) and the team
//! page (`web::team_pages`) both run these.

use super::error::AccountError;
use super::password_reset::{link, new_link, Purpose, SETUP_DAYS};
use super::users::{create_user_writes, end_sessions, user_by_id, Member};
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::courier::courier_timezone;
use crate::domain::user::{TeamRole, User};
use crate::domain::{Email, Name};
use crate::notify::letter::Letter;
use crate::store::pages::list_page;
use crate::store::records::from_item;
use crate::store::{couriers, keys, Cond, Query, Update, Write, PK};
use crate::Ctx;

/// Who to invite, as an admin asks.
pub struct Invite {
    pub email: Email,
    pub name: Name,
    pub team_role: TeamRole,
}

/// A person of the organisation as the team listing shows them.
#[derive(Debug, Clone)]
pub struct Person {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub team_role: TeamRole,
    /// Invited, and no password chosen yet.
    pub invited: bool,
    pub created_at: String,
}

impl From<&User> for Person {
    fn from(user: &User) -> Self {
        Person {
            user_id: user.user_id.clone(),
            email: user.email.to_string(),
            name: user.name.to_string(),
            team_role: user.team_role,
            invited: user.invited(),
            created_at: user.created_at.clone(),
        }
    }
}

/// A page of the organisation's people, oldest first, and the cursor of what follows.
#[derive(Debug)]
pub struct PeoplePage {
    pub people: Vec<Person>,
    pub next_cursor: Option<String>,
}

/// Invites a person into the caller's organisation: the user (no password yet), their
/// member item, an admin's count, and a set-password link, in one transaction; then the
/// link is emailed. A mail that fails undoes the invitation, so it can be sent again.
pub async fn invite_person(
    ctx: &Ctx,
    who: &Principal,
    invite: Invite,
    base_url: &str,
) -> Result<Person, AccountError> {
    who.admin()?;
    let mailer = ctx.mailer()?;
    let now = ctx.now();
    let now_text = timestamp(now);
    let user = User {
        user_id: User::new_id(),
        email: invite.email,
        name: invite.name,
        phone: None,
        // No password until the person chooses one through the link.
        password_hash: String::new(),
        role: who.role,
        team_role: invite.team_role,
        courier_id: who.courier_id.clone(),
        client_id: who.client_id.clone(),
        created_at: now_text.clone(),
        updated_at: now_text,
        version: 1,
    };
    let mut writes = create_user_writes(&user)?;
    let (secret, link_write) = new_link(&user, Purpose::Setup, now)?;
    writes.push(link_write);
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            AccountError::EmailTaken
        } else {
            e.into()
        }
    })?;
    let courier = couriers::get(ctx.store.as_ref(), user.courier_id.as_str()).await?;
    let courier_name = courier.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let organisation = who
        .client_name
        .clone()
        .unwrap_or_else(|| courier_name.clone());
    let brand = match &who.client_name {
        Some(client) if !courier_name.is_empty() => format!("{courier_name} · {client}"),
        _ => organisation.clone(),
    };
    let until =
        courier_timezone(courier.as_ref()).in_words(now + chrono::Duration::days(SETUP_DAYS));
    let role_words = match user.team_role {
        TeamRole::Admin => {
            "an admin (people, API keys, integrations and settings, as well as orders)"
        }
        TeamRole::Member => "a member (orders, drafts, imports and messages)",
    };
    let message = Letter {
        to: user.email.clone(),
        subject: format!("You have been added to {organisation}'s team"),
        brand,
        greeting: format!("Hello {},", user.name),
        paragraphs: vec![format!(
            "You have been added to {organisation}'s team on the portal, as {role_words}. \
             Choose a password to sign in with {}.",
            user.email
        )],
        action: Some(("Choose your password".into(), link(base_url, &secret))),
        notes: vec![format!(
            "The link works once, until {until}. If you did not expect this email, ignore it."
        )],
    }
    .email();
    if let Err(e) = mailer.send_email(&message).await {
        ctx.store.transact(removal_writes(&user)).await?;
        return Err(AccountError::InvitationNotSent {
            error: e.to_string(),
        });
    }
    Ok(Person::from(&user))
}

/// The caller's organisation's people, oldest first (the member items, then their users
/// by id: two batch reads a page).
pub async fn list_people(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    cursor: Option<&str>,
) -> Result<PeoplePage, AccountError> {
    who.admin()?;
    let query = Query::partition(keys::org_pk(who.org_id())).sk_begins_with(keys::MEMBER_PREFIX);
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let members = items
        .into_iter()
        .map(from_item::<Member>)
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<_> = members.iter().map(|m| keys::user_ref(&m.user_id)).collect();
    let emails: Vec<String> = batch(ctx, &refs)
        .await?
        .into_iter()
        .flatten()
        .filter_map(|item| item.get("email")?.as_str().map(str::to_string))
        .collect();
    let user_keys: Vec<_> = emails.iter().map(|e| keys::user(e)).collect();
    let mut people = Vec::with_capacity(members.len());
    for item in batch(ctx, &user_keys).await?.into_iter().flatten() {
        let user: User = from_item(item)?;
        people.push(Person::from(&user));
    }
    people.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    Ok(PeoplePage {
        people,
        next_cursor,
    })
}

async fn batch(
    ctx: &Ctx,
    keys: &[crate::store::Key],
) -> Result<Vec<Option<crate::store::Item>>, AccountError> {
    if keys.is_empty() {
        return Ok(vec![]);
    }
    Ok(ctx.store.batch_get(keys).await?)
}

/// One of the caller's organisation's people (another organisation's: not found).
pub async fn person(ctx: &Ctx, who: &Principal, user_id: &str) -> Result<User, AccountError> {
    let member = ctx
        .store
        .get(&keys::member(who.org_id(), user_id))
        .await?
        .ok_or(AccountError::UserNotFound)?;
    let member: Member = from_item(member)?;
    user_by_id(ctx, &member.user_id)
        .await?
        .ok_or(AccountError::UserNotFound)
}

/// Gives a person of the caller's organisation another role. Demoting the last admin is
/// refused ([`AccountError::LastAdmin`]); the person's open sessions take the new role.
pub async fn change_role(
    ctx: &Ctx,
    who: &Principal,
    user_id: &str,
    team_role: TeamRole,
) -> Result<Person, AccountError> {
    who.admin()?;
    let mut user = person(ctx, who, user_id).await?;
    if user.team_role == team_role {
        return Ok(Person::from(&user));
    }
    let org = who.org_id();
    let now_text = timestamp(ctx.now());
    let mut writes = vec![
        Write::Update {
            key: keys::member(org, user_id),
            update: Update::new().set("teamRole", team_role.as_str()),
            cond: Some(Cond::eq("teamRole", user.team_role.as_str())),
        },
        // The version stays: an invited person's set-password link keeps working.
        Write::Update {
            key: keys::user(&user.email.normalized()),
            update: Update::new()
                .set("teamRole", team_role.as_str())
                .set("updatedAt", now_text.as_str()),
            cond: Some(Cond::eq("userId", user_id)),
        },
    ];
    writes.push(match team_role {
        TeamRole::Member => fewer_admins(org),
        TeamRole::Admin => Write::Update {
            key: keys::admin_count(org),
            update: Update::new().increment("admins", 1),
            cond: None,
        },
    });
    ctx.store
        .transact(writes)
        .await
        .map_err(|e| refused_change(e, 2))?;
    user.team_role = team_role;
    user.updated_at = now_text;
    update_sessions(
        ctx,
        user_id,
        &Update::new().set("teamRole", team_role.as_str()),
    )
    .await?;
    Ok(Person::from(&user))
}

/// Removes a person of the caller's organisation: their user, its reference and their
/// member item go (their email can be invited again), then every session of theirs ends.
/// Removing the last admin is refused ([`AccountError::LastAdmin`]).
pub async fn remove_person(ctx: &Ctx, who: &Principal, user_id: &str) -> Result<(), AccountError> {
    who.admin()?;
    let user = person(ctx, who, user_id).await?;
    let writes = removal_writes(&user);
    let counted_at = writes.len() - 1;
    ctx.store
        .transact(writes)
        .await
        .map_err(|e| refused_change(e, counted_at))?;
    end_sessions(ctx, user_id, None).await
}

/// The writes that remove `user` as they were read (the member item's role unchanged
/// since), and an admin's from the admins' count, which must stay above zero.
fn removal_writes(user: &User) -> Vec<Write> {
    let org = super::users::org_of(user);
    let mut writes = vec![
        Write::Delete {
            key: keys::member(org, &user.user_id),
            cond: Some(Cond::eq("teamRole", user.team_role.as_str())),
        },
        Write::Delete {
            key: keys::user(&user.email.normalized()),
            cond: Some(Cond::eq("userId", user.user_id.as_str())),
        },
        Write::Delete {
            key: keys::user_ref(&user.user_id),
            cond: None,
        },
    ];
    if user.team_role == TeamRole::Admin {
        writes.push(fewer_admins(org));
    }
    writes
}

/// One admin fewer, when at least one other remains.
fn fewer_admins(org: &str) -> Write {
    Write::Update {
        key: keys::admin_count(org),
        update: Update::new().increment("admins", -1),
        cond: Some(Cond::gt("admins", 1)),
    }
}

/// A refused change of role or removal: the admins' count (the write at `counted_at`)
/// says the last admin; the person changed or removed by a concurrent request, that the
/// account changed.
fn refused_change(e: crate::store::StoreError, counted_at: usize) -> AccountError {
    if e.condition_failed_at(counted_at) {
        AccountError::LastAdmin
    } else if e.condition_failed_at(0) || e.condition_failed_at(1) {
        AccountError::AccountChanged
    } else {
        e.into()
    }
}

/// Applies `update` to every session of the user (one Query of their sessions); a session
/// that ended in between is skipped.
async fn update_sessions(ctx: &Ctx, user_id: &str, update: &Update) -> Result<(), AccountError> {
    for key in super::users::session_keys(ctx, user_id).await? {
        match ctx.store.update(&key, update, Some(Cond::exists(PK))).await {
            Ok(_) | Err(crate::store::StoreError::ConditionFailed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
