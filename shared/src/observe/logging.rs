//! The log subscriber of a Lambda function.

use tracing_subscriber::filter::LevelFilter;

/// Lambda's advanced logging controls, as `lambda_runtime`'s default subscriber reads them
/// (`AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else INFO), with a plain level filter:
/// per-target directives would link a regex engine into every function for nothing. Lines
/// are always JSON: the template gives every function `LoggingConfig: LogFormat: JSON`
/// (tests/template/check_routes.py checks it), and a text formatter would be code every
/// function carries and never runs. JSON lines carry the fields of the spans they are in
/// (the request's ids, [`super::request`]).
pub fn init() {
    tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_max_level(level_from_env())
        .json()
        .with_current_span(false)
        .with_span_list(true)
        .flatten_event(true)
        .init();
}

/// The level Lambda's logging controls set (`AWS_LAMBDA_LOG_LEVEL`), else `RUST_LOG` (a bare
/// level: `debug`), else INFO. A release build (every deployed function) has no debug or
/// trace events to show (`tracing`'s `release_max_level_info`): there the level can only
/// be raised to WARN or ERROR.
pub fn level_from_env() -> LevelFilter {
    level(
        std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref(),
        std::env::var("RUST_LOG").ok().as_deref(),
    )
}

fn level(lambda: Option<&str>, rust_log: Option<&str>) -> LevelFilter {
    lambda
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .or_else(|| rust_log.and_then(|l| l.parse::<LevelFilter>().ok()))
        .unwrap_or(LevelFilter::INFO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_comes_from_lambda_then_rust_log_then_info() {
        assert_eq!(level(Some("WARN"), Some("debug")), LevelFilter::WARN);
        assert_eq!(level(Some("TRACE"), None), LevelFilter::TRACE);
        assert_eq!(level(None, Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level(Some("nonsense"), Some("error")), LevelFilter::ERROR);
        assert_eq!(level(None, Some("portal=debug")), LevelFilter::INFO);
        assert_eq!(level(None, None), LevelFilter::INFO);
    }
}
