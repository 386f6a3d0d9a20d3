//! What the Lambda functions link: no legacy HTTP/TLS stack (hyper 0.14, rustls 0.21,
//! h2 0.3), no HTTP/2 at all (the SDK clients talk HTTP/1.1 through `portal::aws::http`, not
//! aws-smithy-http-client, which always links h2), no second crypto provider (aws-lc: the functions' rustls runs on ring) and no
//! SSO or `credential_process` credential providers, on any target. One
//! `cargo metadata` (features unified over the whole workspace, so it errs on the side of
//! too much) and a walk of the two functions packages' normal and build dependencies.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Package name and the version prefix that is not allowed (empty: any version).
const FORBIDDEN: &[(&str, &str)] = &[
    ("hyper", "0.14."),
    ("rustls", "0.21."),
    ("h2", ""),
    ("aws-smithy-http-client", ""),
    ("aws-lc-rs", ""),
    ("aws-lc-sys", ""),
    ("aws-sdk-sso", ""),
    ("aws-sdk-ssooidc", ""),
];
/// Features of aws-config that bring the providers back.
const FORBIDDEN_FEATURES: &[(&str, &str)] =
    &[("aws-config", "credentials-process"), ("aws-config", "sso")];

fn metadata() -> Value {
    portal_tests::cargo_metadata(&["--locked"])
}

#[test]
fn no_function_depends_on_the_legacy_http_stack_or_sso_providers() {
    let metadata = metadata();
    let packages: BTreeMap<&str, (&str, &str, &str)> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap(),
                (
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap(),
                    p["manifest_path"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let functions: Vec<&str> = packages
        .iter()
        .filter(|(_, (_, _, manifest))| manifest.contains("/functions/"))
        .map(|(id, _)| *id)
        .collect();
    let names: BTreeSet<&str> = functions.iter().map(|id| packages[id].0).collect();
    assert_eq!(
        names,
        BTreeSet::from(["portal-functions"]),
        "every function's binary is in the functions package"
    );
    let mut problems = BTreeSet::new();
    for function in functions {
        let name = packages[function].0;
        let mut seen = BTreeSet::from([function]);
        let mut todo = vec![function];
        while let Some(id) = todo.pop() {
            let (package, version, _) = packages[id];
            for (forbidden, prefix) in FORBIDDEN {
                if package == *forbidden && version.starts_with(prefix) {
                    problems.insert(format!("{name} depends on {package} {version}"));
                }
            }
            let node = nodes[id];
            for (crate_name, feature) in FORBIDDEN_FEATURES {
                let enabled = node["features"].as_array().unwrap();
                if package == *crate_name && enabled.iter().any(|f| f == feature) {
                    problems.insert(format!("{name}: {package} has feature {feature}"));
                }
            }
            for dep in node["deps"].as_array().unwrap() {
                let linked = dep["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null() || k["kind"] == "build");
                let dep_id = dep["pkg"].as_str().unwrap();
                if linked && seen.insert(dep_id) {
                    todo.push(dep_id);
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
