//! One route table: template.yaml, the binaries under functions/ and the function registry
//! (`portal::functions`) agree.

use portal::store::Index;
use portal_local::functions::{EVENT_FUNCTIONS, HTTP_FUNCTIONS};
use portal_local::Template;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The Lambda binaries: `functions/src/bin/<name>.rs`.
fn binaries() -> BTreeMap<String, PathBuf> {
    let mut found = BTreeMap::new();
    for dir in ["functions/src/bin"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert_eq!(path.extension().unwrap(), "rs", "{}", path.display());
            assert!(found.insert(name, path).is_none(), "one file per function");
        }
    }
    found
}

#[test]
fn every_template_function_has_a_binary_and_every_binary_is_deployed() {
    let template = Template::built_in();
    let deployed: BTreeSet<String> = template
        .functions
        .iter()
        .map(|f| f.binary.clone())
        .collect();
    let binaries: BTreeSet<String> = binaries().into_keys().collect();
    assert_eq!(
        deployed, binaries,
        "template.yaml functions vs functions/src/bin/"
    );
}

/// What `sam build` runs for each function: `make build-<LogicalId>` in its CodeUri
/// (functions/, the functions package's directory: the workspace's default members leave
/// the functions out), whose Makefile builds every binary of the package once and copies
/// `target/lambda/<binary>/bootstrap`, the binary named after the logical id (kebab case,
/// without "Function"). So each BuildProperties.Binary must be that name, and exactly one
/// binary target of the workspace, built from its file under functions/.
#[test]
fn every_build_binary_is_one_workspace_binary_of_a_functions_package() {
    let metadata = portal_tests::cargo_metadata(&["--no-deps", "--offline"]);
    let mut built: Vec<(String, String, PathBuf)> = vec![];
    for package in metadata["packages"].as_array().unwrap() {
        for target in package["targets"].as_array().unwrap() {
            if target["kind"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == "bin")
            {
                built.push((
                    target["name"].as_str().unwrap().to_string(),
                    package["name"].as_str().unwrap().to_string(),
                    target["src_path"].as_str().unwrap().into(),
                ));
            }
        }
    }
    let files = binaries();
    let template = Template::built_in();
    for function in &template.functions {
        let matching: Vec<_> = built
            .iter()
            .filter(|(name, _, _)| *name == function.binary)
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "{}: BuildProperties.Binary names one binary of the workspace",
            function.logical_id
        );
        let resource = resource(&function.logical_id);
        assert_eq!(
            resource["Metadata"]["BuildMethod"].as_str(),
            Some("makefile"),
            "{}: built by functions/Makefile",
            function.logical_id
        );
        assert_eq!(
            kebab(function.logical_id.trim_end_matches("Function")),
            function.binary,
            "{}: functions/Makefile finds the binary by the logical id",
            function.logical_id
        );
        let (_, package, src) = matching[0];
        assert_eq!(src, &files[&function.binary], "{}", function.logical_id);
        assert_eq!(package, "portal-functions", "{}", function.logical_id);
        let code_uri = resource["Properties"]["CodeUri"].as_str().unwrap_or("");
        assert_eq!(code_uri, "functions/", "{}: CodeUri", function.logical_id);
    }
    assert!(repo().join("functions/Makefile").exists());
}

/// `OrderPage` -> `order-page`, as functions/Makefile's `binary` does it.
fn kebab(camel: &str) -> String {
    let mut out = String::new();
    let mut previous_lower_or_digit = false;
    for c in camel.chars() {
        if c.is_ascii_uppercase() && previous_lower_or_digit {
            out.push('-');
        }
        previous_lower_or_digit = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn every_http_function_has_a_handler_and_a_route() {
    let template = Template::built_in();
    let routed: BTreeSet<&str> = template
        .functions
        .iter()
        .filter(|f| !f.routes.is_empty())
        .map(|f| f.binary.as_str())
        .collect();
    let registered: BTreeSet<&str> = HTTP_FUNCTIONS.iter().map(|f| f.name).collect();
    assert_eq!(
        routed, registered,
        "functions with routes (HttpApi's DefinitionBody) vs the function registry"
    );
    let unrouted: BTreeSet<&str> = template
        .functions
        .iter()
        .filter(|f| f.routes.is_empty())
        .map(|f| f.binary.as_str())
        .collect();
    assert_eq!(unrouted, EVENT_FUNCTIONS.iter().map(|f| f.name).collect());
}

/// A binary is wiring only: its doc line and `portal::functions::<name>::main()`, the
/// registry module of its own name, so its use case and needs are written once (there).
#[test]
fn every_binary_runs_its_own_registry_entry() {
    for (name, path) in binaries() {
        let source = std::fs::read_to_string(&path).unwrap();
        let runs = format!("portal::functions::{}::main()", name.replace('-', "_"));
        assert!(source.contains(&runs), "{}: {runs}", path.display());
        assert!(
            source.starts_with("//! "),
            "{}: says what it serves",
            path.display()
        );
        assert!(
            source.lines().count() <= 6,
            "{}: stays wiring only",
            path.display()
        );
    }
}

#[test]
fn the_product_routes_are_served_and_public_ones_are_marked() {
    let template = Template::built_in();
    let routes: BTreeSet<(String, String, bool)> = template
        .functions
        .iter()
        .flat_map(|f| {
            f.routes
                .iter()
                .map(|r| (r.method.clone(), r.path.clone(), r.public))
        })
        .collect();
    for (method, path, public) in [
        ("POST", "/v1/clients", false),
        ("GET", "/v1/clients", false),
        ("GET", "/v1/clients/{clientId}", false),
        ("PATCH", "/v1/clients/{clientId}", false),
        ("DELETE", "/v1/clients/{clientId}", false),
        ("POST", "/v1/clients/{clientId}/invitation", false),
        ("POST", "/v1/invitations/{token}/accept", true),
        ("POST", "/v1/email-confirmations/{token}", true),
        ("POST", "/v1/api-keys", false),
        ("GET", "/v1/api-keys", false),
        ("DELETE", "/v1/api-keys/{keyId}", false),
        ("POST", "/v1/orders", false),
        ("GET", "/v1/orders", false),
        ("GET", "/v1/orders/export", false),
        ("GET", "/v1/orders/{orderId}", false),
        ("PATCH", "/v1/orders/{orderId}", false),
        ("POST", "/v1/orders/{orderId}/reject", false),
        ("POST", "/v1/orders/{orderId}/resubmit", false),
        ("POST", "/v1/orders/{orderId}/withdraw", false),
        ("POST", "/v1/orders/{orderId}/finalize", false),
        ("POST", "/v1/tasks/{taskId}/events", false),
        ("GET", "/v1/settings/notifications", false),
        ("PUT", "/v1/settings/notifications", false),
        ("GET", "/v1/settings/tracking-page", false),
        ("PUT", "/v1/settings/tracking-page", false),
        ("GET", "/track/{trackingToken}", true),
        ("POST", "/v1/integrations", false),
        ("GET", "/v1/integrations", false),
        ("GET", "/v1/integrations/{integrationId}", false),
        ("PATCH", "/v1/integrations/{integrationId}", false),
        ("DELETE", "/v1/integrations/{integrationId}", false),
        ("POST", "/v1/integrations/{integrationId}/webhook", true),
        ("GET", "/v1/integrations/{integrationId}/deliveries", false),
        (
            "GET",
            "/v1/integrations/{integrationId}/deliveries/{deliveryId}",
            false,
        ),
        (
            "POST",
            "/v1/integrations/{integrationId}/deliveries/{deliveryId}/replay",
            false,
        ),
        ("POST", "/v1/webhook-endpoints", false),
        ("GET", "/v1/webhook-endpoints", false),
        ("GET", "/v1/webhook-endpoints/{endpointId}", false),
        ("PATCH", "/v1/webhook-endpoints/{endpointId}", false),
        ("DELETE", "/v1/webhook-endpoints/{endpointId}", false),
        (
            "POST",
            "/v1/webhook-endpoints/{endpointId}/rotate-secret",
            false,
        ),
        ("POST", "/v1/webhook-endpoints/{endpointId}/test", false),
        (
            "GET",
            "/v1/webhook-endpoints/{endpointId}/deliveries",
            false,
        ),
        (
            "POST",
            "/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay",
            false,
        ),
    ] {
        assert!(
            routes.contains(&(method.to_string(), path.to_string(), public)),
            "{method} {path} (public: {public})"
        );
    }
}

#[test]
fn the_table_matches_the_store() {
    let table = Template::built_in().table;
    assert_eq!(
        (table.hash_key.as_str(), table.range_key.as_str()),
        ("PK", "SK")
    );
    for index in Index::ALL {
        assert!(
            table.indexes.contains(&(
                index.name().to_string(),
                index.pk_attr().to_string(),
                index.sk_attr().to_string()
            )),
            "{} is in template.yaml",
            index.name()
        );
        assert_eq!(
            table.keys_only.contains(&index.name().to_string()),
            index.keys_only(),
            "{}: the store and template.yaml agree on what it projects",
            index.name()
        );
    }
    assert_eq!(table.ttl_attribute.as_deref(), Some(portal::store::TTL));
    assert_eq!(table.stream_view.as_deref(), Some("NEW_AND_OLD_IMAGES"));
}

fn resource(id: &str) -> serde_yaml_ng::Value {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(portal_local::TEMPLATE_YAML).unwrap();
    doc["Resources"][id].clone()
}

#[test]
fn the_fanout_reads_the_stream_with_partial_batches_retries_and_a_filter() {
    let fanout = resource("StatusFanoutFunction");
    assert_eq!(
        fanout["Metadata"]["BuildProperties"]["Binary"].as_str(),
        Some("status-fanout")
    );
    let source = &fanout["Properties"]["Events"]["OrderChanges"];
    assert_eq!(source["Type"].as_str(), Some("DynamoDB"));
    let props = &source["Properties"];
    assert_eq!(
        props["FunctionResponseTypes"][0].as_str(),
        Some("ReportBatchItemFailures")
    );
    assert_eq!(props["BisectBatchOnFunctionError"].as_bool(), Some(true));
    let retries = props["MaximumRetryAttempts"].as_u64().unwrap();
    assert!((1..=10).contains(&retries), "a finite retry count");
    assert_eq!(
        retries,
        portal_local::streams::MAX_RETRIES as u64,
        "local delivery retries alike"
    );
    assert!(props["MaximumRecordAgeInSeconds"].as_u64().is_some());
    let destination =
        serde_yaml_ng::to_string(&props["DestinationConfig"]["OnFailure"]["Destination"]).unwrap();
    assert!(
        destination.contains("StatusFanoutDeadLetterQueue.Arn"),
        "{destination}"
    );
    assert_eq!(
        resource("StatusFanoutDeadLetterQueue")["Type"].as_str(),
        Some("AWS::SQS::Queue")
    );
    let pattern: serde_json::Value = serde_json::from_str(
        props["FilterCriteria"]["Filters"][0]["Pattern"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let ours: serde_json::Value = serde_json::from_str(portal::fanout::STREAM_FILTER).unwrap();
    assert_eq!(pattern, ours, "template.yaml's filter is the handler's");
    assert!(portal::fanout::is_relevant("MODIFY", Some("ORDER#ord_1")));
    // A new order: its `order.created` webhooks (no message is sent about it).
    assert!(portal::fanout::is_relevant("INSERT", Some("ORDER#ord_1")));
    assert!(!portal::fanout::is_relevant("REMOVE", Some("ORDER#ord_1")));
    assert!(!portal::fanout::is_relevant("MODIFY", Some("NOTIF")));
}

#[test]
fn the_import_worker_runs_on_running_imports_only() {
    let worker = resource("ImportWorkerFunction");
    assert_eq!(
        worker["Metadata"]["BuildProperties"]["Binary"].as_str(),
        Some("import-worker")
    );
    let props = &worker["Properties"]["Events"]["RunningImports"]["Properties"];
    assert_eq!(props["BatchSize"].as_u64(), Some(1), "one step at a time");
    let pattern: serde_json::Value = serde_json::from_str(
        props["FilterCriteria"]["Filters"][0]["Pattern"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let ours: serde_json::Value =
        serde_json::from_str(portal::imports::worker::STREAM_FILTER).unwrap();
    assert_eq!(pattern, ours, "template.yaml's filter is the worker's");
    use portal::imports::worker::is_relevant;
    assert!(is_relevant("INSERT", Some("IMPORT#imp_1"), Some("running")));
    assert!(is_relevant("MODIFY", Some("IMPORT#imp_1"), Some("running")));
    assert!(!is_relevant("MODIFY", Some("IMPORT#imp_1"), Some("done")));
    assert!(!is_relevant(
        "MODIFY",
        Some("IMPORTROWS#imp_1#0000"),
        Some("running")
    ));
    assert!(!is_relevant("REMOVE", Some("IMPORT#imp_1"), None));
}

#[test]
fn the_live_pusher_runs_on_orders_messages_and_positions_only() {
    let pusher = resource("LivePusherFunction");
    assert_eq!(
        pusher["Metadata"]["BuildProperties"]["Binary"].as_str(),
        Some("live-pusher")
    );
    let props = &pusher["Properties"]["Events"]["LiveChanges"]["Properties"];
    let pattern: serde_json::Value = serde_json::from_str(
        props["FilterCriteria"]["Filters"][0]["Pattern"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let ours: serde_json::Value = serde_json::from_str(portal::live::STREAM_FILTER).unwrap();
    assert_eq!(pattern, ours, "template.yaml's filter is the pusher's");
    use portal::live::is_relevant;
    assert!(is_relevant("INSERT", Some("ORDER#ord_1")));
    assert!(is_relevant("MODIFY", Some("POSITION#ord_1#dropoff")));
    assert!(is_relevant("INSERT", Some("MSG#01J")));
    assert!(!is_relevant("REMOVE", Some("ORDER#ord_1")));
    // Its own connection items, and everything else, wake nothing.
    assert!(!is_relevant("INSERT", Some("CONN#abc")));
    assert!(!is_relevant("INSERT", Some("CONN")));
    // The notifications' fan-out never sees a position.
    assert!(!portal::fanout::is_relevant(
        "MODIFY",
        Some("POSITION#ord_1#dropoff")
    ));
}

#[test]
fn inbound_sms_comes_from_the_two_way_sms_topic() {
    let inbound = resource("SmsInboundFunction");
    assert_eq!(
        inbound["Metadata"]["BuildProperties"]["Binary"].as_str(),
        Some("sms-inbound")
    );
    assert_eq!(
        inbound["Properties"]["Events"]["InboundSms"]["Type"].as_str(),
        Some("SNS")
    );
    assert_eq!(
        resource("InboundSmsTopic")["Type"].as_str(),
        Some("AWS::SNS::Topic")
    );
}
