//! `GET /login`, `POST /login` and `POST /logout`.

use askama::Template;

use super::{cross_site, field, form, html, redirect, same_origin};
use crate::accounts::session::{clear_cookie, end, set_cookie};
use crate::accounts::sign_in::{sign_in, SignIn, SignInError};
use crate::accounts::throttle::WINDOW_MINUTES;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage<'a> {
    email: &'a str,
    error: Option<String>,
    signed_out: bool,
}

/// The sign-in form (already signed in: on to the orders).
pub async fn login_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if crate::accounts::session::resolve(ctx, &req.headers)
        .await?
        .is_some()
    {
        return Ok(redirect("/orders"));
    }
    Ok(html(
        200,
        &LoginPage {
            email: "",
            error: None,
            signed_out: req.query_param("signedOut").is_some(),
        },
    ))
}

pub async fn sign_in_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let fields = form(&req);
    let email = field(&fields, "email");
    let attempt = SignIn {
        email: email.to_string(),
        password: field(&fields, "password").to_string(),
        address: req.source_ip.clone(),
    };
    let again = |status: u16, error: String| {
        html(
            status,
            &LoginPage {
                email,
                error: Some(error),
                signed_out: false,
            },
        )
    };
    Ok(match sign_in(ctx, attempt).await {
        Ok(cookie) => redirect("/orders").with_header("set-cookie", &set_cookie(&cookie)),
        Err(SignInError::Refused) => again(
            401,
            "That email and password do not match an account.".into(),
        ),
        Err(SignInError::Throttled) => again(
            429,
            format!("Too many sign-in attempts. Wait {WINDOW_MINUTES} minutes, then try again."),
        ),
        Err(SignInError::Failed(e)) => return Err(e.into()),
    })
}

pub async fn sign_out(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    end(ctx, &req.headers).await?;
    Ok(redirect("/login?signedOut=1").with_header("set-cookie", &clear_cookie()))
}
