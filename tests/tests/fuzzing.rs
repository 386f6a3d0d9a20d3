//! The fuzz targets (`fuzz/`, FUZZING.md) keep up with the API: `json_bodies` reads the body
//! of every operation of the OpenAPI document that takes JSON, and every target is built,
//! seeded and run by the test script.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use portal_local::openapi::document;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The quoted names between `const OPERATIONS` and the end of the array.
fn fuzzed_operations(source: &str) -> Vec<String> {
    let start = source
        .find("const OPERATIONS")
        .expect("json_bodies.rs declares OPERATIONS");
    let list = &source[start..];
    let list = &list[list.find('=').unwrap()..list.find("];").unwrap()];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn json_bodies_reads_every_operation_that_takes_json() {
    let doc = document();
    let mut expected = BTreeSet::new();
    for (_, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let takes_json = op
                .pointer("/requestBody/content")
                .and_then(|c| c.as_object())
                .is_some_and(|c| c.contains_key("application/json"));
            let id = op["operationId"].as_str().unwrap().to_string();
            // The webhook's body is a shop's order: the `shop_mappers` target's.
            if takes_json && id != "receiveWebhook" {
                expected.insert(id);
            }
        }
    }
    let source = read("fuzz/fuzz_targets/json_bodies.rs");
    let fuzzed = fuzzed_operations(&source);
    let fuzzed_set: BTreeSet<String> = fuzzed.iter().cloned().collect();
    assert_eq!(fuzzed.len(), fuzzed_set.len(), "an operation listed twice");
    assert_eq!(
        fuzzed_set, expected,
        "json_bodies' OPERATIONS against the OpenAPI document's JSON write operations"
    );
    for op in &fuzzed {
        // A match arm of its own, or one it shares (`"a" | "b" =>`).
        assert!(
            source.contains(&format!("\"{op}\" =>")) || source.contains(&format!("\"{op}\" |")),
            "json_bodies reads no body for {op}"
        );
    }
}

#[test]
fn every_target_is_declared_seeded_and_run_by_the_test_script() {
    let manifest = read("fuzz/Cargo.toml");
    let test_script = read("scripts/test.sh");
    assert!(test_script.contains("scripts/fuzz.sh\" all"));
    let mut targets = vec![];
    for entry in std::fs::read_dir(repo().join("fuzz/fuzz_targets")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let target = name
            .strip_suffix(".rs")
            .expect("a target's source")
            .to_string();
        assert!(
            manifest.contains(&format!(
                "name = \"{target}\"\npath = \"fuzz_targets/{name}\""
            )),
            "fuzz/Cargo.toml declares {target}"
        );
        let seeds = std::fs::read_dir(repo().join("fuzz/corpus").join(&target))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(seeds > 0, "fuzz/corpus/{target} has seeds");
        targets.push(target);
    }
    targets.sort();
    assert_eq!(
        targets,
        [
            "cursor",
            "json_bodies",
            "multipart",
            "shop_mappers",
            "signatures",
            "sms_template",
            "spreadsheet"
        ]
    );
}
