//! Public `POST /v1/email-confirmations/{token}`: applies a pending email change (a
//! client's, or a courier's own organisation email).

use serde::Deserialize;

use super::clients::{email_marker, email_taken};
use super::records::from_item;
use crate::accounts::tokens::check_usable;
use crate::clock::timestamp;
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::{token, Email};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, Update, Write, PK};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailConfirmation {
    /// Absent: the courier's own email.
    #[serde(default)]
    client_id: Option<ClientId>,
    courier_id: CourierId,
    email: Email,
    expires_at: String,
    #[serde(default)]
    used_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientEmail {
    email: Email,
}

pub async fn confirm_email(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let raw = req.path_param("token")?;
    let not_found = ApiError::NotFound("email confirmation");
    if !token::well_formed(raw) {
        return Err(not_found);
    }
    let hash = token::hash(raw);
    let confirmation: EmailConfirmation = from_item(
        ctx.store
            .get(&keys::email_confirmation(&hash))
            .await?
            .ok_or(not_found)?,
    )?;
    let now = ctx.now();
    check_usable(
        confirmation.used_at.as_deref(),
        &confirmation.expires_at,
        now,
        "confirmation",
    )?;
    let Some(client_id) = confirmation.client_id.clone() else {
        return confirm_courier_email(ctx, &hash, &confirmation, now).await;
    };
    let client_key = keys::client(confirmation.courier_id.as_str(), client_id.as_str());
    let current: ClientEmail = from_item(
        ctx.store
            .get(&client_key)
            .await?
            .ok_or(ApiError::NotFound("client"))?,
    )?;
    let now_text = timestamp(now);
    let writes = vec![
        Write::Update {
            key: keys::email_confirmation(&hash),
            update: Update::new().set("usedAt", now_text.as_str()),
            cond: Some(Cond::not_exists("usedAt").and(Cond::gt("expiresAt", now_text.as_str()))),
        },
        Write::Update {
            key: client_key,
            update: Update::new()
                .set("email", confirmation.email.as_str())
                .remove("pendingEmail")
                .remove("emailTokenHash")
                .set("updatedAt", now_text.as_str())
                .increment("version", 1),
            cond: Some(
                Cond::eq("emailTokenHash", hash.as_str())
                    .and(Cond::eq("email", current.email.as_str())),
            ),
        },
        Write::Delete {
            key: keys::client_email(
                confirmation.courier_id.as_str(),
                &current.email.normalized(),
            ),
            cond: Some(Cond::eq("clientId", client_id.as_str())),
        },
        Write::Put {
            item: email_marker(&confirmation.courier_id, &confirmation.email, &client_id)?,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            ApiError::gone("token_used", "this confirmation has already been used")
        } else if e.condition_failed_at(1) {
            ApiError::gone(
                "token_replaced",
                "this confirmation is no longer valid (a newer change replaced it)",
            )
        } else if e.condition_failed_at(3) {
            email_taken(&confirmation.email)
        } else {
            e.into()
        }
    })?;
    Ok(ApiResponse::ok(
        &serde_json::json!({ "clientId": client_id, "email": confirmation.email }),
    ))
}

/// A courier's own new email: the confirmation used and the courier's email set, if the
/// token is still the courier's pending change.
async fn confirm_courier_email(
    ctx: &Ctx,
    hash: &str,
    confirmation: &EmailConfirmation,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult {
    let now_text = timestamp(now);
    let writes = vec![
        Write::Update {
            key: keys::email_confirmation(hash),
            update: Update::new().set("usedAt", now_text.as_str()),
            cond: Some(Cond::not_exists("usedAt").and(Cond::gt("expiresAt", now_text.as_str()))),
        },
        Write::Update {
            key: keys::courier(confirmation.courier_id.as_str()),
            update: Update::new()
                .set("email", confirmation.email.as_str())
                .remove("pendingEmail")
                .remove("emailTokenHash"),
            cond: Some(Cond::eq("emailTokenHash", hash)),
        },
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            ApiError::gone("token_used", "this confirmation has already been used")
        } else if e.condition_failed_at(1) {
            ApiError::gone(
                "token_replaced",
                "this confirmation is no longer valid (a newer change replaced it)",
            )
        } else {
            e.into()
        }
    })?;
    Ok(ApiResponse::ok(
        &serde_json::json!({ "courierId": confirmation.courier_id, "email": confirmation.email }),
    ))
}
