//! What a test run reports: a test that did not run must not pass unnoticed. A plain `cargo
//! test` skips the scenarios on moto server and says so once; where moto is required
//! (./scripts/test.sh) its absence fails them. The browser test is reported as ignored, and
//! run without Chromium it fails, saying how to install it. Each case runs this test binary
//! again, on the named tests only, in a child process.

use std::process::Command;

/// Runs `tests` (exact names) in a child process without moto's variables, with `args` and
/// `env`: whether it passed, and all it printed.
fn run(tests: &[&str], args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(tests)
        .arg("--exact")
        .args(args)
        .env_remove("PORTAL_MOTO_URL")
        .env_remove("PORTAL_REQUIRE_MOTO")
        .envs(env.iter().copied())
        .output()
        .expect("the test binary runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

const MOTO_TESTS: [&str; 2] = [
    "store_contract::moto::delete_honours_its_condition",
    "store_contract::moto::queries_order_prefix_and_page",
];

#[test]
fn without_moto_a_plain_run_skips_the_moto_scenarios_and_says_so_once() {
    let (passed, printed) = run(&MOTO_TESTS, &[], &[]);
    assert!(passed, "{printed}");
    assert!(printed.contains("2 passed"), "{printed}");
    assert_eq!(
        printed.matches(portal_tests::MOTO_SKIPPED).count(),
        1,
        "{printed}"
    );
    assert!(printed.contains("./scripts/test.sh"), "{printed}");
}

#[test]
fn where_moto_is_required_a_run_without_it_fails() {
    let (passed, printed) = run(&MOTO_TESTS, &[], &[("PORTAL_REQUIRE_MOTO", "1")]);
    assert!(!passed, "{printed}");
    assert!(printed.contains("2 failed"), "{printed}");
    assert!(
        printed.contains("PORTAL_REQUIRE_MOTO is set but PORTAL_MOTO_URL is not"),
        "{printed}"
    );
}

const BROWSER_TEST: &str = "local_portal::the_tracking_page_renders_in_a_real_browser";

#[test]
fn the_browser_test_is_reported_as_ignored_by_a_plain_run() {
    let (passed, printed) = run(&[BROWSER_TEST], &[], &[]);
    assert!(passed, "{printed}");
    assert!(printed.contains("0 passed"), "{printed}");
    assert!(printed.contains("1 ignored"), "{printed}");
}

#[test]
fn the_browser_test_run_without_chromium_fails_saying_how_to_install_it() {
    let (passed, printed) = run(
        &[BROWSER_TEST],
        &["--include-ignored"],
        &[("CHROMIUM", "/nonexistent/chromium")],
    );
    assert!(!passed, "{printed}");
    assert!(printed.contains("1 failed"), "{printed}");
    assert!(printed.contains("./scripts/browser-env.sh"), "{printed}");
}
