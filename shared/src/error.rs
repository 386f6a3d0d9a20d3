//! The one place where failures become HTTP statuses and the error codes of PRODUCT.md.
//! The JSON error body `{"error": {"code", "message", "field"}}` is rendered from them by
//! `http` (`ApiError::to_response`): the use cases that return an `ApiError` do not
//! depend on the HTTP adapters' types.

use crate::accounts::error::AccountError;
use crate::catalog::CatalogError;
use crate::chat::ChatError;
use crate::clients::ClientError;
use crate::digests::DigestError;
use crate::dispatch::TaskEventError;
use crate::domain::json::JsonError;
use crate::domain::pricing::QuotedService;
use crate::imports::error::ImportError;
use crate::integrations::error::IntegrationError;
use crate::needs::NotWired;
use crate::ordering::error::OrderError;
use crate::reminders::ReminderError;
use crate::settings::error::SettingsError;
use crate::store::StoreError;
use crate::teams::TeamError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be read (malformed JSON, bad cursor, bad header).
    #[error("{message}")]
    Malformed {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// 401: no key, or a key that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: a valid key that may not use this route.
    #[error("{0}")]
    Forbidden(String),
    /// 404: missing, or another tenant's (the two are indistinguishable on purpose).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409: a stale version, a duplicate, or a state that does not allow the change.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 410: a token that was used or has expired.
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    /// 413: the body is larger than the route accepts.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// 413: the content passes a limit other than the body's size (rows of a sheet…).
    #[error("{message}")]
    LimitExceeded { code: &'static str, message: String },
    /// 415: a body in a media type the route does not take (`message` names those it does).
    #[error("{message}")]
    UnsupportedMediaType { message: String },
    /// 422: well-formed, but a field is missing, unknown or invalid.
    #[error("{field}: {message}")]
    Invalid {
        code: &'static str,
        field: String,
        message: String,
    },
    /// 422 `not_quotable`: no service of the client (or not the one named) can serve the
    /// order; `reasons` lists why (each once), `services` each service's quote.
    #[error("no service can take this order: {}", reasons.join(", "))]
    Unquotable {
        field: Option<String>,
        reasons: Vec<String>,
        services: Vec<QuotedService>,
    },
    /// 429: the store or a downstream service is throttling.
    #[error("too many requests, retry shortly")]
    Throttled,
    /// 429 `rate_limited`: more of something limited (confirmation mails to addresses
    /// nobody has confirmed) than its window allows; `retry_after`: seconds until it opens.
    #[error("{message}")]
    RateLimited {
        field: Option<String>,
        message: String,
        retry_after: i64,
    },
    /// 503: a downstream service (email, SMS) failed; the request can be retried.
    #[error("{0}")]
    Unavailable(String),
    /// 500: an infrastructure fault, never caused by what the caller sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            code: "invalid_field",
            field: field.into(),
            message: message.into(),
        }
    }

    /// A read-only field sent back with another value than the resource has.
    pub fn read_only(field: impl Into<String>) -> Self {
        ApiError::Invalid {
            code: "read_only_field",
            field: field.into(),
            message: "is read-only: send it unchanged, or leave it out".into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Gone {
            code,
            message: message.into(),
        }
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        ApiError::Malformed {
            code: "malformed_request",
            message: message.into(),
            field: None,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            ApiError::Malformed { .. } => 400,
            ApiError::Unauthorized(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::Conflict { .. } => 409,
            ApiError::Gone { .. } => 410,
            ApiError::TooLarge { .. } | ApiError::LimitExceeded { .. } => 413,
            ApiError::UnsupportedMediaType { .. } => 415,
            ApiError::Invalid { .. } | ApiError::Unquotable { .. } => 422,
            ApiError::Throttled | ApiError::RateLimited { .. } => 429,
            ApiError::Internal(_) => 500,
            ApiError::Unavailable(_) => 503,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Malformed { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Gone { code, .. }
            | ApiError::LimitExceeded { code, .. }
            | ApiError::Invalid { code, .. } => code,
            ApiError::Unquotable { .. } => "not_quotable",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::TooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType { .. } => "unsupported_media_type",
            ApiError::Throttled => "throttled",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Invalid { field, .. } => Some(field),
            ApiError::Malformed { field, .. }
            | ApiError::Unquotable { field, .. }
            | ApiError::RateLimited { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

/// A member on an admin-only route.
impl From<crate::domain::api_key::AdminsOnly> for ApiError {
    fn from(err: crate::domain::api_key::AdminsOnly) -> Self {
        ApiError::Forbidden(err.to_string())
    }
}

impl From<NotWired> for ApiError {
    fn from(err: NotWired) -> Self {
        ApiError::Internal(err.to_string())
    }
}

impl From<JsonError> for ApiError {
    fn from(err: JsonError) -> Self {
        match err {
            JsonError::TooLarge { limit } => ApiError::TooLarge { limit },
            JsonError::Malformed(message) => ApiError::malformed(message),
            JsonError::Field {
                code,
                field,
                message,
            } => ApiError::Invalid {
                code,
                field,
                message,
            },
        }
    }
}

/// The ordering use cases' errors as the API answers them.
impl From<OrderError> for ApiError {
    fn from(err: OrderError) -> Self {
        let message = err.to_string();
        match err {
            OrderError::NotFound => ApiError::NotFound("order"),
            OrderError::ClientNotFound => ApiError::NotFound("client"),
            OrderError::Field {
                field,
                problem,
                message,
            } => ApiError::Invalid {
                code: problem.code(),
                field: field.api_name().into(),
                message,
            },
            OrderError::Unquotable {
                service_named,
                reasons,
                services,
            } => ApiError::Unquotable {
                field: service_named.then(|| "serviceId".to_string()),
                reasons,
                services,
            },
            OrderError::Stale { .. } => ApiError::conflict("version_conflict", message),
            OrderError::NotAllowed(message) => ApiError::conflict("invalid_state", message),
            OrderError::ConcurrentUpdate => ApiError::conflict("concurrent_update", message),
            OrderError::TooManyRows { .. } => ApiError::Invalid {
                code: "too_many_rows",
                field: "from".into(),
                message,
            },
            OrderError::InvalidCursor => StoreError::InvalidCursor.into(),
            OrderError::Store(e) => e.into(),
            OrderError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

/// The accounts use cases' errors as the API answers them.
impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        let message = err.to_string();
        match err {
            AccountError::UserNotFound => ApiError::NotFound("user"),
            AccountError::KeyNotFound => ApiError::NotFound("API key"),
            AccountError::ClientNotFound => ApiError::NotFound("client"),
            AccountError::CourierNotFound => ApiError::NotFound("courier"),
            AccountError::LinkNotFound => ApiError::NotFound("password link"),
            AccountError::EmailChangeNotFound => ApiError::NotFound("login email confirmation"),
            AccountError::EmailConfirmationNotFound => ApiError::NotFound("email confirmation"),
            AccountError::InvitationNotFound => ApiError::NotFound("invitation"),
            AccountError::Field {
                field,
                problem,
                message,
            } => ApiError::Invalid {
                code: problem.code(),
                field: field.api_name().into(),
                message,
            },
            AccountError::TokenUsed { .. } => ApiError::gone("token_used", message),
            AccountError::TokenExpired { .. } => ApiError::gone("token_expired", message),
            AccountError::LinkReplaced
            | AccountError::EmailChangeReplaced
            | AccountError::InvitationReplaced => ApiError::gone("token_replaced", message),
            AccountError::ConfirmationsLimited {
                field, retry_after, ..
            } => ApiError::RateLimited {
                field: Some(field.api_name().into()),
                message,
                retry_after,
            },
            AccountError::TooManyKeys { .. } => ApiError::conflict("too_many_keys", message),
            AccountError::ClientStale { .. } | AccountError::AccountChanged => {
                ApiError::conflict("version_conflict", message)
            }
            AccountError::EmailChangedMeanwhile => ApiError::conflict("concurrent_update", message),
            AccountError::EmailTaken
            | AccountError::ClientEmailTaken { .. }
            | AccountError::UserExists => ApiError::conflict("email_taken", message),
            AccountError::AdminsOnly(_) => ApiError::Forbidden(message),
            AccountError::LastAdmin => ApiError::conflict("last_admin", message),
            AccountError::ConfirmationNotSent { .. }
            | AccountError::LoginConfirmationNotSent { .. }
            | AccountError::InvitationNotSent { .. } => ApiError::Unavailable(message),
            AccountError::Store(e) => e.into(),
            AccountError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

/// The integration use cases' errors as the API answers them.
impl From<IntegrationError> for ApiError {
    fn from(err: IntegrationError) -> Self {
        match err {
            IntegrationError::NotFound => ApiError::NotFound("integration"),
            IntegrationError::DeliveryNotFound => ApiError::NotFound("delivery"),
            IntegrationError::Field {
                field,
                problem,
                message,
            } => ApiError::Invalid {
                code: problem.code(),
                field: field.api_name().into(),
                message,
            },
            e @ IntegrationError::ClientsOnly => ApiError::Forbidden(e.to_string()),
            IntegrationError::NotReplayable { code, message } => ApiError::conflict(code, message),
            IntegrationError::Order(e) => e.into(),
            IntegrationError::Store(e) => e.into(),
            IntegrationError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

/// The settings use cases' errors as the API answers them.
impl From<SettingsError> for ApiError {
    fn from(err: SettingsError) -> Self {
        match err {
            SettingsError::ClientsOnly(message) => ApiError::Forbidden(message.into()),
            SettingsError::ClientNotFound => ApiError::NotFound("client"),
            SettingsError::Field {
                field,
                problem,
                message,
            } => ApiError::Invalid {
                code: problem.code(),
                field: field.api_name(),
                message,
            },
            SettingsError::Store(e) => e.into(),
            SettingsError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

/// The teams use cases' errors as the API answers them.
impl From<CatalogError> for ApiError {
    fn from(err: CatalogError) -> Self {
        let message = err.to_string();
        match err {
            CatalogError::CouriersOnly => ApiError::Forbidden(message),
            CatalogError::NotFound { what } => ApiError::NotFound(what),
            CatalogError::Invalid { field, message } => ApiError::invalid(field, message),
            CatalogError::Stale { .. } => ApiError::conflict("version_conflict", message),
            CatalogError::ChangedMeanwhile { .. } => {
                ApiError::conflict("concurrent_update", message)
            }
            CatalogError::InUse { .. } => ApiError::conflict("in_use", message),
            CatalogError::Internal(message) => ApiError::Internal(message),
            CatalogError::Store(e) => e.into(),
        }
    }
}

impl From<TeamError> for ApiError {
    fn from(err: TeamError) -> Self {
        let message = err.to_string();
        match err {
            TeamError::CouriersOnly => ApiError::Forbidden(message),
            TeamError::NotFound => ApiError::NotFound("team"),
            TeamError::NameTaken(_) => ApiError::conflict("name_taken", message),
            TeamError::Stale { .. } => ApiError::conflict("version_conflict", message),
            TeamError::ChangedMeanwhile => ApiError::conflict("concurrent_update", message),
            TeamError::InUse { .. } => ApiError::conflict("in_use", message),
            TeamError::Store(e) => e.into(),
        }
    }
}

/// The chat use cases' errors as the API answers them.
impl From<ChatError> for ApiError {
    fn from(err: ChatError) -> Self {
        let message = err.to_string();
        match err {
            ChatError::CouriersOnly => ApiError::Forbidden(message),
            ChatError::ClientNotFound => ApiError::NotFound("client"),
            ChatError::Field {
                field,
                code,
                message,
            } => ApiError::Invalid {
                code,
                field: field.into(),
                message,
            },
            ChatError::KeyReused => ApiError::Invalid {
                code: "idempotency_key_reused",
                field: "Idempotency-Key".into(),
                message,
            },
            ChatError::Busy => ApiError::conflict("concurrent_update", message),
            ChatError::NotSent(_) => ApiError::Unavailable(message),
            ChatError::Account(e) => e.into(),
            ChatError::NotWired(e) => e.into(),
            ChatError::Store(e) => e.into(),
        }
    }
}

impl From<crate::hooks::HookError> for ApiError {
    fn from(err: crate::hooks::HookError) -> Self {
        use crate::hooks::HookError;
        let message = err.to_string();
        match err {
            HookError::NotFound(what) => ApiError::NotFound(what),
            HookError::Field {
                field,
                code,
                message,
            } => ApiError::Invalid {
                code,
                field: field.into(),
                message,
            },
            HookError::TooMany(_) => ApiError::Invalid {
                code: "too_many_endpoints",
                field: "url".into(),
                message,
            },
            HookError::Changed => ApiError::conflict("version_conflict", message),
            HookError::NotWired(e) => e.into(),
            HookError::Store(e) => e.into(),
        }
    }
}

/// The clients use cases' errors as the API answers them.
impl From<ClientError> for ApiError {
    fn from(err: ClientError) -> Self {
        let message = err.to_string();
        match err {
            ClientError::CouriersOnly => ApiError::Forbidden(message),
            ClientError::NotFound => ApiError::NotFound("client"),
            ClientError::CourierNotFound => ApiError::NotFound("courier"),
            ClientError::EmailTaken(_) => ApiError::conflict("email_taken", message),
            ClientError::UnknownTeam => ApiError::invalid("autoAssignTeamId", message),
            ClientError::Deleted { .. } => ApiError::conflict("client_deleted", message),
            ClientError::ReadOnly(field) => ApiError::read_only(field),
            ClientError::AlreadyActive => ApiError::conflict("already_active", message),
            ClientError::InviteRaced => ApiError::conflict("version_conflict", message),
            ClientError::InvitationNotSent(_) => ApiError::Unavailable(message),
            ClientError::Field { field, message } => ApiError::invalid(field, message),
            ClientError::TooManyClients { .. } => ApiError::conflict("too_many_clients", message),
            ClientError::ServicesRaced => ApiError::conflict("concurrent_update", message),
            ClientError::Account(e) => e.into(),
            ClientError::NotWired(e) => e.into(),
            ClientError::Store(e) => e.into(),
        }
    }
}

/// The task-event use case's errors as the API answers them.
impl From<TaskEventError> for ApiError {
    fn from(err: TaskEventError) -> Self {
        let message = err.to_string();
        match err {
            TaskEventError::CouriersOnly => ApiError::Forbidden(message),
            TaskEventError::NotFound => ApiError::NotFound("task"),
            TaskEventError::Missing { field, message } => ApiError::Invalid {
                code: "missing_field",
                field: field.api_name().into(),
                message,
            },
            TaskEventError::Invalid { field, message } => {
                ApiError::invalid(field.api_name(), message)
            }
            TaskEventError::NotAllowed(message) => ApiError::conflict("invalid_state", message),
            TaskEventError::VersionConflict => ApiError::conflict("version_conflict", message),
            TaskEventError::Store(e) => e.into(),
        }
    }
}

/// A draft reminders run's error, as the local portal's trigger answers it.
impl From<ReminderError> for ApiError {
    fn from(err: ReminderError) -> Self {
        match err {
            ReminderError::Store(e) => e.into(),
            ReminderError::NotWired(e) => e.into(),
            e @ ReminderError::NotSent(_) => ApiError::Unavailable(e.to_string()),
        }
    }
}

/// An order digest's error, as a page or the local portal's trigger answers it.
impl From<DigestError> for ApiError {
    fn from(err: DigestError) -> Self {
        let message = err.to_string();
        match err {
            DigestError::CouriersOnly => ApiError::Forbidden(message),
            DigestError::NotSent(_) => ApiError::Unavailable(message),
            DigestError::NotWired(e) => e.into(),
            DigestError::Store(e) => e.into(),
        }
    }
}

/// The import use cases' errors as the API answers them.
impl From<ImportError> for ApiError {
    fn from(err: ImportError) -> Self {
        let message = err.to_string();
        match err {
            ImportError::UnsupportedFormat(message) => ApiError::UnsupportedMediaType { message },
            ImportError::TooLarge(message) => ApiError::LimitExceeded {
                code: "payload_too_large",
                message,
            },
            ImportError::Unreadable { code, message } => ApiError::Malformed {
                code,
                message,
                field: Some("body".into()),
            },
            ImportError::EmptySheet => ApiError::Invalid {
                code: "empty_sheet",
                field: "body".into(),
                message,
            },
            ImportError::ClientNamedByClient => ApiError::Invalid {
                code: "unknown_field",
                field: "clientId".into(),
                message,
            },
            ImportError::ClientNotNamed => ApiError::Invalid {
                code: "missing_field",
                field: "clientId".into(),
                message,
            },
            ImportError::ClientNotFound => ApiError::NotFound("client"),
            ImportError::UploadsNotAllowed => ApiError::Forbidden(message),
            ImportError::NotFound => ApiError::NotFound("import"),
            ImportError::Order(e) => e.into(),
            ImportError::Store(e) => e.into(),
            ImportError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Throttled => ApiError::Throttled,
            StoreError::InvalidCursor => ApiError::Malformed {
                code: "invalid_cursor",
                message: "the cursor is not valid".into(),
                field: Some("cursor".into()),
            },
            err if err.is_conflict() => ApiError::conflict(
                "concurrent_update",
                "another request changed the same data at the same time; retry",
            ),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::error::AccountField;
    use crate::ordering::FieldProblem;

    fn answer(err: AccountError) -> (u16, &'static str, Option<String>, String) {
        let api = ApiError::from(err);
        let field = api.field().map(str::to_string);
        (api.status(), api.code(), field, api.to_string())
    }

    #[test]
    fn account_errors_answer_as_the_api_always_has() {
        let cases: Vec<(AccountError, (u16, &str, Option<&str>, &str))> = vec![
            (AccountError::UserNotFound, (404, "not_found", None, "user not found")),
            (AccountError::KeyNotFound, (404, "not_found", None, "API key not found")),
            (
                AccountError::LinkNotFound,
                (404, "not_found", None, "password link not found"),
            ),
            (
                AccountError::EmailChangeNotFound,
                (404, "not_found", None, "login email confirmation not found"),
            ),
            (
                AccountError::EmailConfirmationNotFound,
                (404, "not_found", None, "email confirmation not found"),
            ),
            (
                AccountError::InvitationNotFound,
                (404, "not_found", None, "invitation not found"),
            ),
            (
                AccountError::InvitationReplaced,
                (
                    410,
                    "token_replaced",
                    None,
                    "this invitation is no longer valid (replaced by a newer one, or the client was removed)",
                ),
            ),
            (
                AccountError::UserExists,
                (
                    409,
                    "email_taken",
                    None,
                    "a user with this email already exists: sign in instead",
                ),
            ),
            (
                AccountError::ClientEmailTaken {
                    email: "a@b.example".into(),
                },
                (
                    409,
                    "email_taken",
                    None,
                    "another client of this courier already uses a@b.example",
                ),
            ),
            (
                AccountError::field(
                    AccountField::Timezone,
                    FieldProblem::Invalid,
                    "a courier keeps a time zone",
                ),
                (
                    422,
                    "invalid_field",
                    Some("timezone"),
                    "timezone: a courier keeps a time zone",
                ),
            ),
            (
                AccountError::TokenUsed { what: "link" },
                (410, "token_used", None, "this link has already been used"),
            ),
            (
                AccountError::TokenExpired {
                    what: "invitation",
                },
                (410, "token_expired", None, "this invitation has expired"),
            ),
            (
                AccountError::LinkReplaced,
                (
                    410,
                    "token_replaced",
                    None,
                    "this link is no longer valid (the account changed since it was sent)",
                ),
            ),
            (
                AccountError::ConfirmationsLimited {
                    field: AccountField::NewEmail,
                    per_organization: 5,
                    per_address: 3,
                    retry_after: 61,
                },
                (
                    429,
                    "rate_limited",
                    Some("new_email"),
                    "too many confirmation emails from this organisation or to this address \
                     (5 and 3 an hour); try again in 2 minutes",
                ),
            ),
            (
                AccountError::TooManyKeys { max: 20 },
                (
                    409,
                    "too_many_keys",
                    None,
                    "an organisation can hold at most 20 active keys; revoke one first",
                ),
            ),
            (
                AccountError::ClientStale { current: 4 },
                (
                    409,
                    "version_conflict",
                    None,
                    "the client was changed by someone else (now at version 4 or later); read it again",
                ),
            ),
            (
                AccountError::EmailChangedMeanwhile,
                (
                    409,
                    "concurrent_update",
                    None,
                    "the organisation's email was changed at the same time; read it again",
                ),
            ),
            (
                AccountError::EmailTaken,
                (
                    409,
                    "email_taken",
                    None,
                    "another account signs in with this email now; ask for a different one",
                ),
            ),
            (
                AccountError::AdminsOnly(crate::domain::api_key::AdminsOnly),
                (
                    403,
                    "forbidden",
                    None,
                    "only an admin of the organisation can manage people, API keys, integrations and settings",
                ),
            ),
            (
                AccountError::LastAdmin,
                (
                    409,
                    "last_admin",
                    None,
                    "the organisation's last admin cannot be removed or made a member; make someone else an admin first",
                ),
            ),
            (
                AccountError::LoginConfirmationNotSent {
                    error: "SES down".into(),
                },
                (
                    503,
                    "unavailable",
                    None,
                    "the confirmation could not be emailed (SES down); ask again to retry",
                ),
            ),
            (
                AccountError::Store(StoreError::InvalidCursor),
                (400, "invalid_cursor", Some("cursor"), "the cursor is not valid"),
            ),
            (
                AccountError::Internal("boom".into()),
                (500, "internal", None, "internal error"),
            ),
        ];
        for (err, (status, code, field, message)) in cases {
            let described = format!("{err:?}");
            assert_eq!(
                answer(err),
                (status, code, field.map(str::to_string), message.to_string()),
                "{described}"
            );
        }
    }
}
