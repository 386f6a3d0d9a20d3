//! Why an accounts use case did not do what it was asked: the accounts use cases' own
//! error. The JSON API answers it in one place (`From<AccountError> for ApiError`,
//! `error.rs`); the pages put its words next to their own input.

use crate::domain::api_key::AdminsOnly;
use crate::needs::NotWired;
use crate::ordering::FieldProblem;
use crate::store::StoreError;

/// A field of an accounts command, named as the API (or, for a user's own settings, the
/// form) names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountField {
    /// An organisation's contact email.
    Email,
    /// A user's new login email.
    NewEmail,
    /// A courier's time zone.
    Timezone,
}

impl AccountField {
    pub fn api_name(self) -> &'static str {
        match self {
            AccountField::Email => "email",
            AccountField::NewEmail => "new_email",
            AccountField::Timezone => "timezone",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// No such API key of the caller's organisation.
    #[error("API key not found")]
    KeyNotFound,
    /// No such client (or a deleted one).
    #[error("client not found")]
    ClientNotFound,
    /// No such courier.
    #[error("courier not found")]
    CourierNotFound,
    /// No password link (reset or setup) behind the token.
    #[error("password link not found")]
    LinkNotFound,
    /// No login-email change behind the token.
    #[error("login email confirmation not found")]
    EmailChangeNotFound,
    /// No organisation email change behind the token.
    #[error("email confirmation not found")]
    EmailConfirmationNotFound,
    /// No invitation behind the token.
    #[error("invitation not found")]
    InvitationNotFound,
    /// A field of the command cannot be used: which, how, and why in words.
    #[error("{}: {message}", field.api_name())]
    Field {
        field: AccountField,
        problem: FieldProblem,
        message: String,
    },
    /// A single-use token (`what` names it: "link", "invitation"…) was used already.
    #[error("this {what} has already been used")]
    TokenUsed { what: &'static str },
    /// A single-use token (`what` names it) has expired.
    #[error("this {what} has expired")]
    TokenExpired { what: &'static str },
    /// A password link made before the account last changed (another link used, a password
    /// or profile change).
    #[error("this link is no longer valid (the account changed since it was sent)")]
    LinkReplaced,
    /// An email confirmation (a login email's, or an organisation's) that a newer change
    /// replaced.
    #[error("this confirmation link is no longer valid (a newer change replaced it)")]
    EmailChangeReplaced,
    /// An invitation that a newer one replaced (or whose client was removed).
    #[error(
        "this invitation is no longer valid (replaced by a newer one, or the client was removed)"
    )]
    InvitationReplaced,
    /// More confirmation mails than the limits allow (`per_organization` and `per_address`
    /// an hour); `retry_after`: seconds until the window ends; `field`: the new address.
    #[error(
        "too many confirmation emails from this organisation or to this address \
         ({per_organization} and {per_address} an hour); try again in {minutes} minutes",
        minutes = (retry_after + 59) / 60
    )]
    ConfirmationsLimited {
        field: AccountField,
        per_organization: i64,
        per_address: i64,
        retry_after: i64,
    },
    /// The organisation holds `max` active keys already.
    #[error("an organisation can hold at most {max} active keys; revoke one first")]
    TooManyKeys { max: i64 },
    /// The client is no longer at the version the change was made to.
    #[error(
        "the client was changed by someone else (now at version {current} or later); read it again"
    )]
    ClientStale { current: u64 },
    /// The user's account changed between reading it and writing the change.
    #[error("your account changed in the meantime; reload the page and try again")]
    AccountChanged,
    /// A courier's email was changed by another request at the same time.
    #[error("the organisation's email was changed at the same time; read it again")]
    EmailChangedMeanwhile,
    /// Another user signs in with the email by now.
    #[error("another account signs in with this email now; ask for a different one")]
    EmailTaken,
    /// An invitation accepted with a first user whose email already has a user.
    #[error("a user with this email already exists: sign in instead")]
    UserExists,
    /// Another client of the courier uses the address by now.
    #[error("another client of this courier already uses {email}")]
    ClientEmailTaken { email: String },
    /// An organisation's email change is saved, but its confirmation mail failed (`error`).
    #[error(
        "the change is saved but the confirmation email could not be sent ({error}); PATCH the email again to resend"
    )]
    ConfirmationNotSent { error: String },
    /// A login-email change's confirmation mail failed (`error`); nothing is confirmed yet.
    #[error("the confirmation could not be emailed ({error}); ask again to retry")]
    LoginConfirmationNotSent { error: String },
    /// A member asked for what only the organisation's admins may do.
    #[error("{0}")]
    AdminsOnly(#[from] AdminsOnly),
    /// Removing or demoting the organisation's last admin.
    #[error("the organisation's last admin cannot be removed or made a member; make someone else an admin first")]
    LastAdmin,
    /// A teammate's invitation mail failed (`error`); the invitation was undone.
    #[error("the invitation could not be emailed ({error}); invite the person again to retry")]
    InvitationNotSent { error: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours, never caused by what the caller sent.
    #[error("{0}")]
    Internal(String),
}

impl AccountError {
    pub fn field(field: AccountField, problem: FieldProblem, message: impl Into<String>) -> Self {
        AccountError::Field {
            field,
            problem,
            message: message.into(),
        }
    }
}

/// A client the function was built without (email, SMS): a fault of ours.
impl From<NotWired> for AccountError {
    fn from(err: NotWired) -> Self {
        AccountError::Internal(err.to_string())
    }
}
