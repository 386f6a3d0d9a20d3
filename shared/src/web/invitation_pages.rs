//! `GET /invitations/{token}` (the form; reading never uses the token) and its `POST`,
//! which accepts the invitation as the JSON route does: creating the first user, or, with
//! "API access only", issuing the first API key and showing it once.

use askama::Template;

use super::{cross_site, field, form, html, redirect, same_origin, unusable_link};
use crate::accounts::invitation::{
    accept_as_user, accept_with_key, invitation_for_page, FirstUser,
};
use crate::accounts::session::set_cookie;
use crate::accounts::AccountError;
use crate::domain::user::Password;
use crate::domain::{Name, Phone};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Template)]
#[template(path = "web/invitation.html")]
struct InvitationPage<'a> {
    /// The courier that invites (the page's brand) and the client invited.
    courier_name: &'a str,
    client_name: &'a str,
    email: &'a str,
    name: &'a str,
    phone: &'a str,
    errors: Vec<(String, String)>,
}

impl InvitationPage<'_> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The invitation accepted for API access only: its key, shown this once.
#[derive(Template)]
#[template(path = "web/invitation_api_key.html")]
struct ApiKeyPage<'a> {
    key: &'a str,
    client_id: &'a str,
}

pub async fn invitation_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    match invitation_for_page(ctx, req.path_param("token")?).await {
        Ok(invitation) => Ok(html(
            200,
            &InvitationPage {
                courier_name: &invitation.courier_name,
                client_name: &invitation.client_name,
                email: &invitation.email,
                name: "",
                phone: "",
                errors: vec![],
            },
        )),
        Err(e) => Ok(unusable(e)),
    }
}

pub async fn accept_invitation_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let token = req.path_param("token")?;
    let invitation = match invitation_for_page(ctx, token).await {
        Ok(invitation) => invitation,
        Err(e) => return Ok(unusable(e)),
    };
    let fields = form(&req);
    if field(&fields, "access") == "api" {
        return match accept_with_key(ctx, token, None).await {
            Ok(accepted) => Ok(html(
                201,
                &ApiKeyPage {
                    key: accepted.key.secret.as_str(),
                    client_id: accepted.client_id.as_str(),
                },
            )),
            Err(e) => Ok(unusable(e)),
        };
    }
    let (name, phone, password) = (
        field(&fields, "name"),
        field(&fields, "phone"),
        field(&fields, "password"),
    );
    let mut errors = vec![];
    let parsed_name = Name::parse(name.trim()).map_err(|e| errors.push(("name".to_string(), e)));
    let parsed_phone = match phone.trim() {
        "" => Ok(None),
        raw => Phone::parse(raw)
            .map(Some)
            .map_err(|e| errors.push(("phone".to_string(), e))),
    };
    let parsed_password =
        Password::parse(password).map_err(|e| errors.push(("password".to_string(), e)));
    let (Ok(name_ok), Ok(phone_ok), Ok(password_ok)) = (parsed_name, parsed_phone, parsed_password)
    else {
        return Ok(html(
            422,
            &InvitationPage {
                courier_name: &invitation.courier_name,
                client_name: &invitation.client_name,
                email: &invitation.email,
                name,
                phone,
                errors,
            },
        ));
    };
    let first = FirstUser {
        name: name_ok,
        phone: phone_ok,
        password: password_ok,
    };
    match accept_as_user(ctx, token, first).await {
        Ok(cookie) => Ok(redirect("/orders").with_header("set-cookie", &set_cookie(&cookie))),
        Err(e) => Ok(unusable(e)),
    }
}

/// An unknown (404), used, expired or replaced invitation, or an email that has a user
/// already (410, in the error's words): the one place the invitation's [`AccountError`]
/// becomes a page. Anything else answers as the API would.
fn unusable(e: AccountError) -> ApiResponse {
    unusable_link(
        ApiError::from(e),
        "Invitation",
        "This invitation link is not valid.",
    )
}
