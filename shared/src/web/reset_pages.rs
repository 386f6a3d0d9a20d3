//! `GET`/`POST /forgot-password` (ask for a link) and `GET`/`POST /reset-password/{token}`
//! (the form: reading never uses the token; sending it sets the password and signs in).

use askama::Template;

use super::{capitalise, cross_site, field, form, html, link_page, redirect, same_origin};
use crate::accounts::error::AccountError;
use crate::accounts::password_reset::{
    complete_reset, open_link, request_reset, Purpose, ResetRequestError, RESET_MINUTES,
};
use crate::accounts::session::set_cookie;
use crate::accounts::throttle::WINDOW_MINUTES;
use crate::domain::user::Password;
use crate::domain::Email;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Template)]
#[template(path = "web/forgot_password.html")]
struct ForgotPasswordPage<'a> {
    email: &'a str,
    email_error: Option<String>,
    throttled: Option<String>,
    sent: bool,
    minutes: i64,
}

/// The form (signed in: the password is changed in the user's settings instead).
pub async fn forgot_password_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if crate::accounts::session::resolve(ctx, &req.headers)
        .await?
        .is_some()
    {
        return Ok(redirect("/settings/user"));
    }
    Ok(html(
        200,
        &ForgotPasswordPage {
            email: "",
            email_error: None,
            throttled: None,
            sent: false,
            minutes: RESET_MINUTES,
        },
    ))
}

pub async fn forgot_password_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let fields = form(&req);
    let raw = field(&fields, "email").trim();
    let page = |status: u16, email_error: Option<String>, throttled: Option<String>, sent| {
        html(
            status,
            &ForgotPasswordPage {
                email: raw,
                email_error,
                throttled,
                sent,
                minutes: RESET_MINUTES,
            },
        )
    };
    let email = match Email::parse(raw) {
        Ok(email) => email,
        Err(e) => return Ok(page(422, Some(e), None, false)),
    };
    Ok(
        match request_reset(ctx, &email, req.source_ip.as_deref(), &ctx.base_url(&req)).await {
            Ok(()) => page(200, None, None, true),
            Err(ResetRequestError::Throttled) => page(
                429,
                None,
                Some(format!(
                    "Too many reset requests. Wait {WINDOW_MINUTES} minutes, then try again."
                )),
                false,
            ),
            Err(ResetRequestError::Failed(e)) => return Err(e.into()),
        },
    )
}

#[derive(Template)]
#[template(path = "web/reset_password.html")]
struct ResetPasswordPage<'a> {
    heading: &'a str,
    email: &'a str,
    error: Option<String>,
}

fn heading(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Reset => "Choose a new password",
        Purpose::Setup => "Set your password",
    }
}

pub async fn reset_password_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    Ok(match open_link(ctx, req.path_param("token")?).await {
        Ok((link, _)) => html(
            200,
            &ResetPasswordPage {
                heading: heading(link.purpose),
                email: &link.email,
                error: None,
            },
        ),
        Err(e) => unusable(e),
    })
}

pub async fn reset_password_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let token = req.path_param("token")?;
    let link = match open_link(ctx, token).await {
        Ok((link, _)) => link,
        Err(e) => return Ok(unusable(e)),
    };
    let fields = form(&req);
    let password = match Password::parse(field(&fields, "password")) {
        Ok(password) => password,
        Err(e) => {
            return Ok(html(
                422,
                &ResetPasswordPage {
                    heading: heading(link.purpose),
                    email: &link.email,
                    error: Some(e),
                },
            ))
        }
    };
    Ok(match complete_reset(ctx, token, password).await {
        Ok(cookie) => redirect("/orders").with_header("set-cookie", &set_cookie(&cookie)),
        Err(e) => unusable(e),
    })
}

/// An unknown (404), used, expired or replaced link, or an email taken meanwhile (410, the
/// error's own words): the one place a link's [`AccountError`] becomes a page (the password
/// links here, the login-email links of `account_pages`, the organisation email links of
/// `email_confirmation_pages`). Anything else answers as the API would.
pub(crate) fn unusable(e: AccountError) -> ApiResponse {
    const TITLE: &str = "Link not valid";
    let gone = |message: String| link_page(410, TITLE, format!("{}.", capitalise(&message)));
    match e {
        AccountError::LinkNotFound
        | AccountError::EmailChangeNotFound
        | AccountError::EmailConfirmationNotFound => {
            link_page(404, TITLE, "This link is not valid.".into())
        }
        e @ (AccountError::TokenUsed { .. }
        | AccountError::TokenExpired { .. }
        | AccountError::LinkReplaced
        | AccountError::EmailChangeReplaced
        | AccountError::EmailTaken
        | AccountError::ClientEmailTaken { .. }) => gone(e.to_string()),
        // Another request wrote the same items at the same time.
        AccountError::Store(e) if e.is_conflict() => gone(ApiError::from(e).to_string()),
        e => ApiError::from(e).to_response(),
    }
}
