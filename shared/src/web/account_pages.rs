//! `GET /settings/user` and its forms: `POST /settings/user` (name, phone),
//! `POST /settings/user/password`, `POST /settings/user/email` (a confirmation link to the
//! new address); and the link's `GET`/`POST /login-email/{token}` (reading never uses it).

use askama::Template;

use super::reset_pages::unusable;
use super::{cross_site, field, form, html, redirect, same_origin, Brand, MessagePage};
use crate::accounts::error::AccountError;
use crate::accounts::session::{self, presented};
use crate::accounts::throttle::WINDOW_MINUTES;
use crate::accounts::user_settings::{
    account, change_password, confirm_email_change, open_email_change, request_email_change,
    update_profile, ChangeError, EMAIL_CHANGE_HOURS,
};
use crate::digests::{set_order_digest, DigestError};
use crate::domain::api_key::{Principal, Role};
use crate::domain::digest::DigestCadence;
use crate::domain::user::Password;
use crate::domain::{token, Email, Name, Phone};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::store::StoreError;
use crate::Ctx;

#[derive(Template)]
#[template(path = "web/user_settings.html")]
struct UserSettingsPage {
    client_name: Brand,
    name: String,
    phone: String,
    email: String,
    pending_email: Option<String>,
    new_email: String,
    notice: Option<String>,
    alert: Option<String>,
    errors: Vec<(String, String)>,
    /// A courier's person: the order digest's choices (value, words, selected).
    digest_choices: Vec<(&'static str, &'static str, bool)>,
}

impl UserSettingsPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The signed-in user's id and principal, or the redirect to sign in.
async fn signed_in_user(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<(String, Principal), ApiResponse>, ApiError> {
    Ok(match super::signed_in(ctx, req).await? {
        Ok(principal) => match presented(&req.headers) {
            Some((user_id, _)) => Ok((user_id, principal)),
            None => Err(redirect("/login")),
        },
        Err(to_login) => Err(to_login),
    })
}

/// The page as stored now, with what the last form sent, its errors and a message.
async fn settings_page(
    ctx: &Ctx,
    user_id: &str,
    principal: &Principal,
    sent: &[(String, String)],
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<UserSettingsPage, ApiError> {
    let account = account(ctx, user_id).await?;
    let sent_or = |name: &str, stored: String| {
        sent.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or(stored)
    };
    let alert =
        (!errors.is_empty()).then(|| "Nothing was saved: see the field marked below.".into());
    // The order digest is a courier person's (one more GetItem on their page only).
    let digest_choices = if principal.role == Role::Courier && principal.client_id.is_none() {
        let stored = crate::digests::order_digest(ctx, user_id).await?;
        let chosen = sent
            .iter()
            .find(|(k, _)| k == "digest")
            .and_then(|(_, v)| DigestCadence::parse(v).ok())
            .unwrap_or(stored);
        DigestCadence::ALL
            .into_iter()
            .map(|c| (c.as_str(), c.words(), c == chosen))
            .collect()
    } else {
        vec![]
    };
    Ok(UserSettingsPage {
        client_name: Brand::named(
            principal
                .client_name
                .clone()
                .unwrap_or_else(|| "Courier portal".into()),
            principal,
        ),
        name: sent_or("name", account.user.name.to_string()),
        phone: sent_or(
            "phone",
            account
                .user
                .phone
                .map(|p| p.to_string())
                .unwrap_or_default(),
        ),
        email: account.user.email.to_string(),
        pending_email: account.pending_email,
        new_email: sent_or("new_email", String::new()),
        notice,
        alert,
        errors,
        digest_choices,
    })
}

pub async fn user_settings_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let (user_id, principal) = match signed_in_user(ctx, &req).await? {
        Ok(who) => who,
        Err(to_login) => return Ok(to_login),
    };
    let notice = match req.query_param("saved") {
        Some("profile") => Some("Your profile is saved.".to_string()),
        Some("digest") => Some("Your order digest setting is saved.".to_string()),
        Some("password") => Some("Your password is changed. Your other sessions have ended.".into()),
        Some("email") => Some(format!(
            "A confirmation link is on its way to your new email; it works for {EMAIL_CHANGE_HOURS} hours. You sign in with your current email until you confirm."
        )),
        _ => None,
    };
    let page = settings_page(ctx, &user_id, &principal, &[], vec![], notice).await?;
    Ok(html(200, &page))
}

/// A form's errors: the page again (422), the fields as sent, errors next to them.
async fn again(
    ctx: &Ctx,
    user_id: &str,
    principal: &Principal,
    sent: &[(String, String)],
    status: u16,
    errors: Vec<(String, String)>,
) -> ApiResult {
    let page = settings_page(ctx, user_id, principal, sent, errors, None).await?;
    Ok(html(status, &page))
}

pub async fn update_user_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let (user_id, principal) = match signed_in_user(ctx, &req).await? {
        Ok(who) => who,
        Err(to_login) => return Ok(to_login),
    };
    let fields = form(&req);
    if field(&fields, "form") == "digest" {
        return save_digest(ctx, &user_id, &principal, &fields).await;
    }
    let mut errors = vec![];
    let name = Name::parse(field(&fields, "name").trim())
        .map_err(|e| errors.push(("name".to_string(), e)));
    let phone = match field(&fields, "phone").trim() {
        "" => Ok(None),
        raw => Phone::parse(raw)
            .map(Some)
            .map_err(|e| errors.push(("phone".to_string(), e))),
    };
    let (Ok(name), Ok(phone)) = (name, phone) else {
        return again(ctx, &user_id, &principal, &fields, 422, errors).await;
    };
    match update_profile(ctx, &user_id, name, phone).await {
        Ok(()) => Ok(redirect("/settings/user?saved=profile")),
        Err(e) => {
            let Refused {
                status,
                message,
                retry_after,
            } = refused(e)?;
            again(
                ctx,
                &user_id,
                &principal,
                &fields,
                status,
                vec![("name".into(), message)],
            )
            .await
            .map(|page| with_retry_after(page, retry_after))
        }
    }
}

/// The order digest's form (a courier's person): how often, or off.
async fn save_digest(
    ctx: &Ctx,
    user_id: &str,
    principal: &Principal,
    fields: &[(String, String)],
) -> ApiResult {
    let refuse = |status: u16, message: &str| {
        let errors = vec![("digest".to_string(), message.to_string())];
        again(ctx, user_id, principal, fields, status, errors)
    };
    let cadence = match DigestCadence::parse(field(fields, "digest")) {
        Ok(cadence) => cadence,
        Err(_) => return refuse(422, "Choose one of the choices offered.").await,
    };
    match set_order_digest(ctx, principal, user_id, cadence, ctx.now()).await {
        Ok(()) => Ok(redirect("/settings/user?saved=digest")),
        Err(DigestError::CouriersOnly) => {
            refuse(403, "The order digest is for the courier's people.").await
        }
        Err(DigestError::Store(StoreError::ConditionFailed { .. })) => {
            refuse(
                409,
                "Your setting was changed at the same time; choose again.",
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Why a form's account use case refused, as the form shows it next to its field.
struct Refused {
    status: u16,
    message: String,
    /// Rate limited: the seconds until the window ends.
    retry_after: Option<i64>,
}

/// `Retry-After` on the page of a rate-limited form.
fn with_retry_after(page: ApiResponse, retry_after: Option<i64>) -> ApiResponse {
    match retry_after {
        Some(seconds) => page.with_header("retry-after", &seconds.max(1).to_string()),
        None => page,
    }
}

/// The one place an [`AccountError`] of these forms becomes words next to a field: the
/// account changed meanwhile (409), too many confirmation mails (429); anything else
/// answers as the API would.
fn refused(e: AccountError) -> Result<Refused, ApiError> {
    let message = e.to_string();
    let (status, message, retry_after) = match e {
        AccountError::AccountChanged => (409, message, None),
        // Another request wrote the same items at the same time.
        AccountError::Store(e) if e.is_conflict() => (409, ApiError::from(e).to_string(), None),
        AccountError::ConfirmationsLimited { retry_after, .. } => (429, message, Some(retry_after)),
        e => return Err(e.into()),
    };
    Ok(Refused {
        status,
        message,
        retry_after,
    })
}

fn wrong_password() -> String {
    "The current password is not right.".into()
}

fn throttled() -> String {
    format!("Too many wrong passwords. Wait {WINDOW_MINUTES} minutes, then try again.")
}

pub async fn change_password_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let (user_id, principal) = match signed_in_user(ctx, &req).await? {
        Ok(who) => who,
        Err(to_login) => return Ok(to_login),
    };
    let fields = form(&req);
    let new = match Password::parse(field(&fields, "new_password")) {
        Ok(password) => password,
        Err(e) => {
            return again(
                ctx,
                &user_id,
                &principal,
                &[],
                422,
                vec![("new_password".into(), e)],
            )
            .await
        }
    };
    let keep = presented(&req.headers).map(|(_, secret)| token::hash(&secret));
    let current = field(&fields, "current_password");
    let (status, error) = match change_password(ctx, &user_id, current, new, keep.as_deref()).await
    {
        Ok(()) => return Ok(redirect("/settings/user?saved=password")),
        Err(ChangeError::WrongPassword) => (422, wrong_password()),
        Err(ChangeError::Throttled) => (429, throttled()),
        Err(ChangeError::Failed(e)) => {
            let Refused {
                status,
                message,
                retry_after,
            } = refused(e)?;
            return again(
                ctx,
                &user_id,
                &principal,
                &[],
                status,
                vec![("current_password".into(), message)],
            )
            .await
            .map(|page| with_retry_after(page, retry_after));
        }
        Err(ChangeError::SameEmail | ChangeError::EmailTaken) => {
            return Err(ApiError::Internal("not an email change".into()))
        }
    };
    again(
        ctx,
        &user_id,
        &principal,
        &[],
        status,
        vec![("current_password".into(), error)],
    )
    .await
}

pub async fn change_login_email_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let (user_id, principal) = match signed_in_user(ctx, &req).await? {
        Ok(who) => who,
        Err(to_login) => return Ok(to_login),
    };
    let fields = form(&req);
    let sent: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k == "new_email")
        .cloned()
        .collect();
    let new_email = match Email::parse(field(&fields, "new_email").trim()) {
        Ok(email) => email,
        Err(e) => {
            let error = vec![("new_email".into(), format!("New login email {e}"))];
            return again(ctx, &user_id, &principal, &sent, 422, error).await;
        }
    };
    let current = field(&fields, "password");
    let base = ctx.base_url(&req);
    let (status, error) = match request_email_change(ctx, &user_id, new_email, current, &base).await
    {
        Ok(()) => return Ok(redirect("/settings/user?saved=email")),
        Err(ChangeError::WrongPassword) => (422, ("password", wrong_password())),
        Err(ChangeError::Throttled) => (429, ("password", throttled())),
        Err(ChangeError::SameEmail) => (
            422,
            ("new_email", "This is already your login email.".to_string()),
        ),
        Err(ChangeError::EmailTaken) => (
            409,
            (
                "new_email",
                "Another account signs in with this email.".to_string(),
            ),
        ),
        Err(ChangeError::Failed(e)) => {
            let Refused {
                status,
                message,
                retry_after,
            } = refused(e)?;
            let message = match retry_after {
                Some(_) => format!("New login email not changed: {message}."),
                None => message,
            };
            let error = vec![("new_email".to_string(), message)];
            return again(ctx, &user_id, &principal, &sent, status, error)
                .await
                .map(|page| with_retry_after(page, retry_after));
        }
    };
    let errors = vec![(error.0.to_string(), error.1)];
    again(ctx, &user_id, &principal, &sent, status, errors).await
}

#[derive(Template)]
#[template(path = "web/login_email.html")]
struct LoginEmailPage<'a> {
    email: &'a str,
}

pub async fn login_email_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    Ok(
        match open_email_change(ctx, req.path_param("token")?).await {
            Ok((change, _)) => html(
                200,
                &LoginEmailPage {
                    email: change.new_email.as_str(),
                },
            ),
            Err(e) => unusable(e),
        },
    )
}

pub async fn confirm_login_email_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    Ok(
        match confirm_email_change(ctx, req.path_param("token")?).await {
            Ok(email) => {
                let signed_in = session::resolve(ctx, &req.headers).await?.is_some();
                html(
                    200,
                    &MessagePage {
                        title: "Login email confirmed",
                        message: &format!("You now sign in with {email}."),
                        signed_in,
                        brand: None,
                    },
                )
            }
            Err(e) => unusable(e),
        },
    )
}
