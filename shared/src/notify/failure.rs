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
//! Uncertain (the message may have gone out, its answer was lost): 5xx
//! (`InternalErrorException`, `InternalFailure`, `ServiceUnavailable`, an error with no
//! code), timeouts, dispatch and response failures. Sending again could deliver it twice,
//! so the clients do not retry (`at_most_once`) and the fan-out does not either (README,
//! "What a lost answer means").
//!
//! Everything else is transient, and the message was not taken: throttling
//! (`Throttling`, `TooManyRequestsException`, `LimitExceededException`,
//! `KmsThrottlingException`) and the account-wide states an operator fixes
//! (`AccountSuspendedException`, `SendingPausedException`, `AuthorizationErrorException`,
//! the KMS errors): those are retried by the stream, then go to the dead-letter queue, and
//! `portal-admin replay-notifications` sends them once the account is fixed.

use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::operation::publish::PublishError;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;

use super::NotifyError;

pub(super) fn sns_failure<R: std::fmt::Debug>(e: SdkError<PublishError, R>) -> NotifyError {
    // The provider names the number or address it refused: masked, as in every log line.
    let reason = crate::observe::redact::text(&DisplayErrorContext(&e).to_string());
    let Some(service) = e.as_service_error() else {
        return not_answered("sms", &e, reason);
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
    } else if server_side(&code) {
        NotifyError::uncertain("sms", &code, reason)
    } else {
        NotifyError::transient("sms", &code, reason)
    }
}

pub(super) fn ses_failure<R: std::fmt::Debug>(e: SdkError<SendEmailError, R>) -> NotifyError {
    // The provider names the number or address it refused: masked, as in every log line.
    let reason = crate::observe::redact::text(&DisplayErrorContext(&e).to_string());
    let Some(service) = e.as_service_error() else {
        return not_answered("email", &e, reason);
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
    } else if server_side(&code) {
        NotifyError::uncertain("email", &code, reason)
    } else {
        NotifyError::transient("email", &code, reason)
    }
}

/// A service error on the provider's side (a 5xx): whether it took the message is unknown.
fn server_side(code: &str) -> bool {
    matches!(
        code,
        "unknown"
            | "InternalError"
            | "InternalErrorException"
            | "InternalFailure"
            | "InternalServerError"
            | "ServiceUnavailable"
            | "ServiceUnavailableException"
    )
}

/// A failure with no answer of the service: only one the SDK stopped before sending it
/// (`construction`) is known not to have gone out.
fn not_answered<E, R>(channel: &'static str, e: &SdkError<E, R>, reason: String) -> NotifyError {
    match e {
        SdkError::ConstructionFailure(_) => NotifyError::transient(channel, sdk_kind(e), reason),
        _ => NotifyError::uncertain(channel, sdk_kind(e), reason),
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sesv2::types::error as ses;
    use aws_sdk_sns::types::error as sns;
    use aws_smithy_types::error::ErrorMetadata;

    fn meta(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message("+33612345678 refused")
            .build()
    }

    #[test]
    fn refused_numbers_are_permanent_and_errors_of_the_service_are_not() {
        let invalid = PublishError::InvalidParameterException(
            sns::InvalidParameterException::builder()
                .meta(meta("InvalidParameter"))
                .build(),
        );
        let e = sns_failure(SdkError::service_error(invalid, ()));
        assert!(e.permanent);
        assert_eq!(e.code, "InvalidParameter");
        assert!(!e.to_string().contains("+3361"), "{e}");
        let internal = PublishError::InternalErrorException(
            sns::InternalErrorException::builder()
                .meta(meta("InternalError"))
                .build(),
        );
        let e = sns_failure(SdkError::service_error(internal, ()));
        assert!(!e.permanent);
        assert!(e.uncertain, "a 5xx may have sent it");
        // Throttling is not modelled for Publish: an unhandled error, transient, not sent.
        let throttled = PublishError::generic(meta("Throttling"));
        let e = sns_failure(SdkError::service_error(throttled, ()));
        assert!(!e.permanent);
        assert!(!e.uncertain);
        let e = sns_failure(SdkError::<PublishError, ()>::timeout_error("slow"));
        assert!(!e.permanent);
        assert!(e.uncertain, "a timed-out publish may have gone out");
        assert_eq!(e.code, "timeout");
        let e = sns_failure(SdkError::<PublishError, ()>::construction_failure("no"));
        assert!(!e.permanent && !e.uncertain, "never sent");
    }

    #[test]
    fn refused_addresses_are_permanent_and_a_paused_account_is_not() {
        let rejected = SendEmailError::MessageRejected(
            ses::MessageRejected::builder()
                .meta(meta("MessageRejected"))
                .build(),
        );
        assert!(ses_failure(SdkError::service_error(rejected, ())).permanent);
        let unverified = SendEmailError::MailFromDomainNotVerifiedException(
            ses::MailFromDomainNotVerifiedException::builder()
                .meta(meta("MailFromDomainNotVerifiedException"))
                .build(),
        );
        assert!(ses_failure(SdkError::service_error(unverified, ())).permanent);
        let paused = SendEmailError::SendingPausedException(
            ses::SendingPausedException::builder()
                .meta(meta("SendingPausedException"))
                .build(),
        );
        assert!(!ses_failure(SdkError::service_error(paused, ())).permanent);
        let many = SendEmailError::TooManyRequestsException(
            ses::TooManyRequestsException::builder()
                .meta(meta("TooManyRequestsException"))
                .build(),
        );
        let e = ses_failure(SdkError::service_error(many, ()));
        assert!(!e.permanent && !e.uncertain);
        let unmodelled = SendEmailError::generic(meta("InternalFailure"));
        assert!(ses_failure(SdkError::service_error(unmodelled, ())).uncertain);
    }
}
