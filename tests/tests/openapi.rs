//! The API contract (`infra/openapi.yaml`) and `template.yaml` describe the same API: the
//! same paths and methods, public exactly where the template has no authorizer, and a
//! document that holds together as OpenAPI 3.1.

use portal_local::openapi::document;
use portal_local::Template;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let paths = doc["paths"].as_object().expect("paths is an object");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (m.to_uppercase(), path.clone(), op)))
        })
        .collect()
}

/// `#/components/...` to the value it points at.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => deref(
            doc,
            resolve(doc, r).unwrap_or_else(|| panic!("{r} resolves")),
        ),
        None => value,
    }
}

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn the_contract_has_every_route_of_the_template_and_no_other() {
    let doc = document();
    let template = Template::built_in();
    let from_template: BTreeSet<(String, String, bool)> = template
        .functions
        .iter()
        .flat_map(|f| f.routes.iter())
        .map(|r| (r.method.clone(), r.path.clone(), r.public))
        .collect();
    let global_security = doc["security"].as_array().expect("a default security");
    assert!(
        !global_security.is_empty(),
        "routes are authorised unless they say otherwise"
    );
    let from_contract: BTreeSet<(String, String, bool)> = operations(doc)
        .into_iter()
        .map(|(method, path, op)| {
            let public = match op.get("security") {
                Some(Value::Array(s)) => s.is_empty(),
                Some(other) => panic!("{method} {path}: security is {other}"),
                None => false,
            };
            (method, path, public)
        })
        .collect();
    assert_eq!(
        from_contract, from_template,
        "infra/openapi.yaml and template.yaml list the same (method, path, public) routes"
    );
    assert!(from_template.iter().any(|(_, _, public)| *public));
}

#[test]
fn the_contract_is_a_well_formed_openapi_3_1_document() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let scheme = &doc["components"]["securitySchemes"]["apiKey"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    for requirement in doc["security"].as_array().unwrap() {
        for name in requirement.as_object().unwrap().keys() {
            assert!(doc["components"]["securitySchemes"].get(name).is_some());
        }
    }

    let mut all_refs = Vec::new();
    refs(doc, &mut all_refs);
    for r in &all_refs {
        assert!(resolve(doc, r).is_some(), "{r} resolves");
    }

    let mut ids = BTreeSet::new();
    let ops = operations(doc);
    for (method, path, op) in &ops {
        let id = op["operationId"]
            .as_str()
            .expect("every operation has an id");
        assert!(ids.insert(id), "{id} is used once");
        // Every `{param}` of the path is a required path parameter.
        let declared: Vec<&Value> = [&doc["paths"][path]["parameters"], &op["parameters"]]
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .map(|p| deref(doc, p))
            .collect();
        for name in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            assert!(
                declared
                    .iter()
                    .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true),
                "{method} {path}: path parameter {name} is declared"
            );
        }
        let responses = op["responses"].as_object().expect("responses");
        // A web form's success is a 303 to the next page (Post/Redirect/Get).
        let web = op["tags"][0] == "web";
        assert!(
            responses
                .keys()
                .any(|s| s.starts_with('2') || (web && s == "303")),
            "{method} {path} documents its success"
        );
        for (status, response) in responses {
            assert!(
                status.len() == 3 && status.parse::<u16>().is_ok(),
                "{method} {path}: {status}"
            );
            let response = deref(doc, response);
            assert!(
                response["description"].is_string(),
                "{method} {path} {status}"
            );
            if status.starts_with('4') || status.starts_with('5') {
                // Every error is the JSON envelope, with the codes it may carry.
                let schema = deref(doc, &response["content"]["application/json"]["schema"]);
                let envelope = schema["allOf"][0]["$ref"].as_str();
                assert_eq!(
                    envelope,
                    Some("#/components/schemas/Error"),
                    "{method} {path} {status} answers the error envelope"
                );
                let codes = schema["properties"]["error"]["properties"]["code"]["enum"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{method} {path} {status} lists its codes"));
                assert!(!codes.is_empty());
            }
        }
        if let Some(body) = op.get("requestBody") {
            // JSON, except a sheet upload (the file itself, in one of the sheet types) and
            // the web portal's forms (HTML form posts).
            const SHEETS: [&str; 3] = [
                "text/csv",
                "text/tab-separated-values",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ];
            let types: Vec<&String> = body["content"].as_object().unwrap().keys().collect();
            let form = (body["content"]["application/x-www-form-urlencoded"]["schema"].is_object()
                || body["content"]["multipart/form-data"]["schema"].is_object())
                && op["tags"][0] == "web";
            assert!(
                body["content"]["application/json"]["schema"].is_object()
                    || form
                    || (!types.is_empty() && types.iter().all(|t| SHEETS.contains(&t.as_str()))),
                "{method} {path}: JSON bodies (or a sheet, or a web form)"
            );
        }
        // Links lead to operations that exist, with parameters they take.
        for response in responses.values() {
            let Some(links) = deref(doc, response)["links"].as_object() else {
                continue;
            };
            for (name, link) in links {
                let link = deref(doc, link);
                let target = link["operationId"].as_str().unwrap();
                let (_, target_path, target_op) = ops
                    .iter()
                    .find(|(_, _, o)| o["operationId"] == target)
                    .unwrap_or_else(|| panic!("link {name} leads to {target}, which exists"));
                for param in link["parameters"].as_object().unwrap().keys() {
                    assert!(
                        target_path.contains(&format!("{{{param}}}"))
                            || target_op["parameters"].as_array().is_some_and(|ps| ps
                                .iter()
                                .any(|p| deref(doc, p)["name"] == *param)),
                        "link {name}: {target} takes {param}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_stateful_links_cover_what_creation_makes() {
    let doc = document();
    let linked = |path: &str, method: &str| -> BTreeSet<String> {
        doc["paths"][path][method]["responses"]["201"]["links"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} has links"))
            .values()
            .map(|l| deref(doc, l)["operationId"].as_str().unwrap().to_string())
            .collect()
    };
    let clients = linked("/v1/clients", "post");
    for op in ["getClient", "updateClient", "deleteClient", "inviteClient"] {
        assert!(clients.contains(op), "{op}");
    }
    let orders = linked("/v1/orders", "post");
    for op in [
        "getOrder",
        "updateOrder",
        "withdrawOrder",
        "resubmitOrder",
        "finalizeOrder",
        "rejectOrder",
        "recordTaskEvent",
    ] {
        assert!(orders.contains(op), "{op}");
    }
    assert!(linked("/v1/api-keys", "post").contains("revokeApiKey"));
    let teams = linked("/v1/teams", "post");
    for op in ["updateTeam", "deleteTeam"] {
        assert!(teams.contains(op), "{op}");
    }
}
