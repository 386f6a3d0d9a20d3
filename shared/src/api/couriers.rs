//! Courier organisations are created by the operator (`portal-admin create-courier`), with
//! their first API key and their first user.

use super::api_keys::issue_key;
use super::records::to_item;
use crate::accounts::password_reset::{link, new_link, Purpose, SETUP_DAYS};
use crate::clock::timestamp;
use crate::domain::api_key::{NewApiKey, Role};
use crate::domain::courier::Courier;
use crate::domain::ids::CourierId;
use crate::domain::timezone::Timezone;
use crate::domain::user::User;
use crate::domain::{Email, Label, Name};
use crate::error::ApiError;
use crate::notify::letter::Letter;
use crate::store::{keys, Cond, Write, PK};
use crate::Ctx;

/// Creates a courier and its first API key (returned once, here).
pub async fn create_courier(
    ctx: &Ctx,
    name: &str,
    email: &str,
    timezone: &str,
) -> Result<(Courier, NewApiKey), ApiError> {
    let (courier, key, writes) = courier_writes(ctx, name, email, timezone)?;
    ctx.store.transact(writes).await?;
    Ok((courier, key))
}

/// What `portal-admin create-courier` makes: the courier, its first API key and its first
/// user (who signs in with the courier's email once they set a password), in one
/// transaction; then the set-password link, emailed when the context has a mailer.
pub struct NewCourier {
    pub courier: Courier,
    pub key: NewApiKey,
    pub user_id: String,
    pub set_password_link: String,
    pub emailed: bool,
}

pub async fn create_courier_with_user(
    ctx: &Ctx,
    name: &str,
    email: &str,
    timezone: &str,
    base_url: &str,
) -> Result<NewCourier, ApiError> {
    let (courier, key, mut writes) = courier_writes(ctx, name, email, timezone)?;
    let now = ctx.now();
    let now_text = timestamp(now);
    let user = User {
        user_id: User::new_id(),
        email: Email::parse(&courier.email).map_err(ApiError::Internal)?,
        name: Name::parse(&courier.name).map_err(ApiError::Internal)?,
        phone: None,
        // No password until the person sets one through the link (nothing verifies against "").
        password_hash: String::new(),
        role: Role::Courier,
        team_role: crate::domain::user::TeamRole::Admin,
        courier_id: courier.id.clone(),
        client_id: None,
        created_at: now_text.clone(),
        updated_at: now_text,
        version: 1,
    };
    let user_at = writes.len();
    writes.extend(crate::accounts::users::create_user_writes(&user)?);
    let (secret, link_write) = new_link(&user, Purpose::Setup, now)?;
    writes.push(link_write);
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(user_at) {
            ApiError::invalid("email", "a user already signs in with this email")
        } else {
            e.into()
        }
    })?;
    let set_password_link = link(base_url, &secret);
    let mut emailed = false;
    if let Some(mailer) = ctx.mailer.as_ref() {
        let message = Letter {
            to: user.email.clone(),
            subject: format!("Your courier portal account for {}", courier.name),
            brand: courier.name.clone(),
            greeting: "Hello,".into(),
            paragraphs: vec![format!(
                "An account was created for {} on the courier client portal. You sign in with \
                 this email address.",
                courier.name
            )],
            action: Some(("Set your password".into(), set_password_link.clone())),
            notes: vec![format!("The link works once, for {SETUP_DAYS} days.")],
        }
        .email();
        mailer.send_email(&message).await.map_err(|e| {
            ApiError::Unavailable(format!("the set-password link could not be emailed: {e}"))
        })?;
        emailed = true;
    }
    Ok(NewCourier {
        courier,
        key,
        user_id: user.user_id,
        set_password_link,
        emailed,
    })
}

type CourierWrites = (Courier, NewApiKey, Vec<Write>);

fn courier_writes(
    ctx: &Ctx,
    name: &str,
    email: &str,
    timezone: &str,
) -> Result<CourierWrites, ApiError> {
    let name = Name::parse(name).map_err(|m| ApiError::invalid("name", m))?;
    let email = Email::parse(email).map_err(|m| ApiError::invalid("email", m))?;
    let timezone = Timezone::parse(timezone).map_err(|m| ApiError::invalid("timezone", m))?;
    let now = timestamp(ctx.now());
    let courier = Courier {
        id: CourierId::generate(),
        name: name.to_string(),
        email: email.to_string(),
        timezone: timezone.into(),
        teams: vec![],
        created_at: now.clone(),
        organization: None,
        pending_email: None,
        email_token_hash: None,
    };
    let key = NewApiKey::generate(Role::Courier);
    let mut profile = to_item(&courier, &keys::courier(courier.id.as_str()), "Courier")?;
    profile.insert("activeKeys".into(), 1.into());
    let (_, key_writes) = issue_key(
        &key,
        Role::Courier,
        &courier.id,
        None,
        Label::parse("first key").ok(),
        &now,
    )?;
    let mut writes = vec![Write::Put {
        item: profile,
        cond: Some(Cond::not_exists(PK)),
    }];
    writes.extend(key_writes);
    Ok((courier, key, writes))
}
