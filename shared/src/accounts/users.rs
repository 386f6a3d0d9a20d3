//! Reading and writing users: the user item lives under its login email (one GetItem at
//! sign-in, and the key keeps login emails unique); a small reference item under the user id
//! points at it, for the pages of a signed-in user (whose session knows only the id).

use serde::{Deserialize, Serialize};

use super::error::AccountError;
use crate::domain::api_key::Principal;
use crate::domain::ids::KeyId;
use crate::domain::user::{TeamRole, User};
use crate::domain::Email;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Query, Update, Write, PK};
use crate::Ctx;

/// The reference from a user id to the user item's key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserRef {
    user_id: String,
    email: String,
}

/// A person's place in their organisation (`ORG#<org>` / `MEMBER#<userId>`): what the
/// team listing queries, and what a change of role or a removal is conditioned on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: String,
    pub team_role: TeamRole,
}

/// The organisation a user belongs to: the client, or the courier.
pub fn org_of(user: &User) -> &str {
    match &user.client_id {
        Some(client) => client.as_str(),
        None => user.courier_id.as_str(),
    }
}

/// The writes that create a user: the user item and its id's reference (both fail if the
/// login email or id is already taken: the first write's condition failing means "email
/// taken"), the person's member item, and an admin's count in the organisation's admins.
pub fn create_user_writes(user: &User) -> Result<Vec<Write>, AccountError> {
    let reference = UserRef {
        user_id: user.user_id.clone(),
        email: user.email.normalized(),
    };
    let mut writes = vec![
        Write::Put {
            item: to_item(user, &keys::user(&user.email.normalized()), "User")?,
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Put {
            item: to_item(&reference, &keys::user_ref(&user.user_id), "UserRef")?,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    writes.extend(member_writes(user)?);
    Ok(writes)
}

/// The member item of `user` and, for an admin, one more in the organisation's admins.
fn member_writes(user: &User) -> Result<Vec<Write>, AccountError> {
    let org = org_of(user);
    let member = Member {
        user_id: user.user_id.clone(),
        team_role: user.team_role,
    };
    let mut writes = vec![Write::Put {
        item: to_item(&member, &keys::member(org, &user.user_id), "Member")?,
        cond: Some(Cond::not_exists(PK)),
    }];
    if user.team_role == TeamRole::Admin {
        writes.push(Write::Update {
            key: keys::admin_count(org),
            update: Update::new().increment("admins", 1),
            cond: None,
        });
    }
    Ok(writes)
}

/// A user stored before organisations had several people has no member item: it is made
/// when the person signs in (one read when it exists), so the team lists them and counts
/// them among the admins. Made already by a concurrent sign-in: nothing more to do.
pub async fn ensure_member(ctx: &Ctx, user: &User) -> Result<(), AccountError> {
    let key = keys::member(org_of(user), &user.user_id);
    if ctx.store.get(&key).await?.is_some() {
        return Ok(());
    }
    match ctx.store.transact(member_writes(user)?).await {
        Ok(()) => Ok(()),
        Err(e) if e.condition_failed_at(0) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The user by login email.
pub async fn user_by_email(ctx: &Ctx, email: &Email) -> Result<Option<User>, AccountError> {
    match ctx.store.get(&keys::user(&email.normalized())).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// The user by id (two reads: the reference, then the user item).
pub async fn user_by_id(ctx: &Ctx, user_id: &str) -> Result<Option<User>, AccountError> {
    let Some(item) = ctx.store.get(&keys::user_ref(user_id)).await? else {
        return Ok(None);
    };
    let reference: UserRef = from_item(item)?;
    let Some(item) = ctx.store.get(&keys::user(&reference.email)).await? else {
        return Ok(None);
    };
    let user: User = from_item(item)?;
    Ok((user.user_id == user_id).then_some(user))
}

/// Can this user sign in? A client's user cannot once the client is deleted.
pub async fn may_sign_in(ctx: &Ctx, user: &User) -> Result<bool, AccountError> {
    if user.client_id.is_none() {
        return Ok(true);
    }
    let principal = Principal {
        role: user.role,
        courier_id: user.courier_id.clone(),
        client_id: user.client_id.clone(),
        key_id: KeyId::parse(&format!("key_{}", user.user_id.trim_start_matches("usr_")))
            .map_err(AccountError::Internal)?,
        client_name: None,
        auto_assign_team_id: None,
        has_services: false,
        logo_url: None,
        team_role: user.team_role,
        unread_messages: 0,
    };
    Ok(crate::auth::with_client(ctx.store.as_ref(), principal)
        .await?
        .is_some())
}

/// Ends every session of the user server-side except `keep` (the hash of the session's
/// secret that stays, if any). One Query of the user's session partition, then a delete each.
pub async fn end_sessions(
    ctx: &Ctx,
    user_id: &str,
    keep: Option<&str>,
) -> Result<(), AccountError> {
    let keep_sk = keep.map(|hash| keys::session(user_id, hash).sk);
    for key in session_keys(ctx, user_id).await? {
        if Some(&key.sk) != keep_sk.as_ref() {
            ctx.store.delete(&key, None).await?;
        }
    }
    Ok(())
}

/// The keys of every session of the user: one Query of their session partition (a page
/// at a time).
pub(crate) async fn session_keys(
    ctx: &Ctx,
    user_id: &str,
) -> Result<Vec<crate::store::Key>, AccountError> {
    let mut keys_found = Vec::new();
    let mut start = None;
    loop {
        let page = ctx
            .store
            .query(&Query::partition(keys::user_sessions_pk(user_id)).start_after(start))
            .await?;
        keys_found.extend(page.items.iter().filter_map(crate::store::item_key));
        match page.last_key {
            Some(last) => start = Some(last),
            None => return Ok(keys_found),
        }
    }
}

/// The users of an organisation's members that `keep` takes (every page of its members,
/// then their references and users: two BatchGetItems a page of members).
pub async fn org_users(
    ctx: &Ctx,
    org: &str,
    keep: impl Fn(&Member) -> bool,
) -> Result<Vec<User>, crate::store::StoreError> {
    let mut query = Query::partition(keys::org_pk(org)).sk_begins_with(keys::MEMBER_PREFIX);
    let mut users = vec![];
    loop {
        let page = ctx.store.query(&query).await?;
        let members = page
            .items
            .into_iter()
            .map(from_item::<Member>)
            .collect::<Result<Vec<_>, _>>()?;
        let members: Vec<Member> = members.into_iter().filter(|m| keep(m)).collect();
        for chunk in members.chunks(100) {
            let refs: Vec<_> = chunk.iter().map(|m| keys::user_ref(&m.user_id)).collect();
            let emails: Vec<_> = ctx
                .store
                .batch_get(&refs)
                .await?
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("email")?.as_str().map(keys::user))
                .collect();
            if emails.is_empty() {
                continue;
            }
            for item in ctx.store.batch_get(&emails).await?.into_iter().flatten() {
                users.push(from_item::<User>(item)?);
            }
        }
        match page.last_key {
            Some(last) => query = query.start_after(Some(last)),
            None => break,
        }
    }
    Ok(users)
}
