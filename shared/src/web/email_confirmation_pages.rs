//! `GET /email-confirmations/{token}` (what the link would change, with a **Confirm**
//! button; reading never uses the token) and its `POST`, which confirms an organisation's
//! new email through the same use case as `POST /v1/email-confirmations/{token}`.

use askama::Template;

use super::reset_pages::unusable;
use super::{cross_site, html, same_origin, MessagePage};
use crate::accounts::email_confirmation::{confirm_organization_email, open_confirmation};
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

#[derive(Template)]
#[template(path = "web/email_confirmation.html")]
struct EmailConfirmationPage<'a> {
    email: &'a str,
    courier: &'a str,
}

pub async fn email_confirmation_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    Ok(
        match open_confirmation(ctx, req.path_param("token")?).await {
            Ok(pending) => html(
                200,
                &EmailConfirmationPage {
                    email: pending.email.as_str(),
                    courier: &pending.courier_name,
                },
            ),
            Err(e) => unusable(e),
        },
    )
}

pub async fn confirm_email_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    Ok(
        match confirm_organization_email(ctx, req.path_param("token")?).await {
            Ok(confirmed) => html(
                200,
                &MessagePage {
                    title: "Email address confirmed",
                    message: &format!(
                        "{} is the organisation's contact address from now on.",
                        confirmed.email()
                    ),
                    signed_in: false,
                    brand: None,
                },
            ),
            Err(e) => unusable(e),
        },
    )
}
