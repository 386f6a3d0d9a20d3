//! Which SNS and SES errors are permanent (sending the same message again fails again:
//! skip it, record it, count it) and which are transient (retry).
//!
//! Permanent:
//! - SNS `Publish`: `InvalidParameterException`, `InvalidParameterValueException` (a number
//!   SNS refuses: malformed, unsupported country, opted out), `EndpointDisabledException`,
//!   `ValidationException`, `NotFoundException`.
//! - SES `SendEmail`: `MessageRejected` (a refused address, the sandbox's unverified
//!   recipient, a virus), `MailFromDomainNotVerifiedException`, `BadRequestException` (an
//!   address SES cannot parse), `NotFoundException` (a configuration set or identity that
//!   does not exist).
//!
//! Everything else is transient: throttling (`TooManyRequestsException`,
//! `LimitExceededException`, `KmsThrottlingException`), 5xx (`InternalErrorException`, an
//! unmodelled error), timeouts, dispatch and response failures, and the account-wide states
//! an operator fixes (`AccountSuspendedException`, `SendingPausedException`,
//! `AuthorizationErrorException`, the KMS errors): those go to the dead-letter queue and
//! `portal-admin replay-notifications` sends them once the account is fixed.

use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::operation::publish::PublishError;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;

use super::NotifyError;

pub(super) fn sns_failure<R: std::fmt::Debug>(e: SdkError<PublishError, R>) -> NotifyError {
    let reason = DisplayErrorContext(&e).to_string();
    let Some(service) = e.as_service_error() else {
        return NotifyError::transient("sms", sdk_kind(&e), reason);
    };
    let code = service.code().unwrap_or("unknown").to_string();
    let permanent = matches!(
        service,
        PublishError::InvalidParameterException(_)
            | PublishError::InvalidParameterValueException(_)
            | PublishError::EndpointDisabledException(_)
            | PublishError::ValidationException(_)
            | PublishError::NotFoundException(_)
    );
    if permanent {
        NotifyError::permanent("sms", &code, reason)
    } else {
        NotifyError::transient("sms", &code, reason)
    }
}

pub(super) fn ses_failure<R: std::fmt::Debug>(e: SdkError<SendEmailError, R>) -> NotifyError {
    let reason = DisplayErrorContext(&e).to_string();
    let Some(service) = e.as_service_error() else {
        return NotifyError::transient("email", sdk_kind(&e), reason);
    };
    let code = service.code().unwrap_or("unknown").to_string();
    let permanent = matches!(
        service,
        SendEmailError::MessageRejected(_)
            | SendEmailError::MailFromDomainNotVerifiedException(_)
            | SendEmailError::BadRequestException(_)
            | SendEmailError::NotFoundException(_)
    );
    if permanent {
        NotifyError::permanent("email", &code, reason)
    } else {
        NotifyError::transient("email", &code, reason)
    }
}

/// The kind of a failure that never reached the service's answer.
fn sdk_kind<E, R>(e: &SdkError<E, R>) -> &'static str {
    match e {
        SdkError::ConstructionFailure(_) => "construction",
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "dispatch",
        SdkError::ResponseError(_) => "response",
        SdkError::ServiceError(_) => "service",
        _ => "unknown",
    }
}
