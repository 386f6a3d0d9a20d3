//! Reads what the local server and the tests need from `template.yaml`: each function's
//! binary and HTTP routes, and the table's keys and indexes.

use serde_yaml_ng::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub functions: Vec<FunctionDef>,
    pub table: TableDef,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    pub logical_id: String,
    /// The crate and binary under `functions/`.
    pub binary: String,
    pub routes: Vec<RouteDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteDef {
    pub method: String,
    pub path: String,
    /// `Auth: {Authorizer: NONE}`: no API key.
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    pub attributes: Vec<String>,
    pub hash_key: String,
    pub range_key: String,
    /// (index name, hash key, range key)
    pub indexes: Vec<(String, String, String)>,
    pub ttl_attribute: Option<String>,
    pub stream_view: Option<String>,
}

impl Template {
    pub fn parse(yaml: &str) -> Result<Self, String> {
        let doc: Value =
            serde_yaml_ng::from_str(yaml).map_err(|e| format!("template.yaml: {e}"))?;
        let resources = doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or("template.yaml has no Resources")?;
        let mut functions = Vec::new();
        let mut table = None;
        for (id, resource) in resources {
            let id = id.as_str().unwrap_or_default().to_string();
            match resource.get("Type").and_then(Value::as_str) {
                Some("AWS::Serverless::Function") => functions.push(function(&id, resource)?),
                Some("AWS::DynamoDB::Table") => table = Some(table_def(resource)?),
                _ => {}
            }
        }
        functions.sort_by(|a, b| a.binary.cmp(&b.binary));
        Ok(Self {
            functions,
            table: table.ok_or("template.yaml has no DynamoDB table")?,
        })
    }

    /// The template in this build.
    pub fn built_in() -> Self {
        Self::parse(crate::TEMPLATE_YAML).expect("the built-in template.yaml is readable")
    }
}

fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(*key))?.as_str()
}

fn function(id: &str, resource: &Value) -> Result<FunctionDef, String> {
    let binary = text(resource, &["Metadata", "BuildProperties", "Binary"])
        .ok_or_else(|| format!("{id} has no Metadata.BuildProperties.Binary"))?
        .to_string();
    let mut routes = Vec::new();
    if let Some(events) = resource
        .get("Properties")
        .and_then(|p| p.get("Events"))
        .and_then(Value::as_mapping)
    {
        for event in events.values() {
            if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                continue;
            }
            let method = text(event, &["Properties", "Method"])
                .ok_or_else(|| format!("{id}: an HttpApi event has no Method"))?;
            let path = text(event, &["Properties", "Path"])
                .ok_or_else(|| format!("{id}: an HttpApi event has no Path"))?;
            let public = text(event, &["Properties", "Auth", "Authorizer"]) == Some("NONE");
            routes.push(RouteDef {
                method: method.to_uppercase(),
                path: path.to_string(),
                public,
            });
        }
    }
    Ok(FunctionDef {
        logical_id: id.to_string(),
        binary,
        routes,
    })
}

fn table_def(resource: &Value) -> Result<TableDef, String> {
    let props = resource
        .get("Properties")
        .ok_or("the table has no Properties")?;
    let list = |key: &str| {
        props
            .get(key)
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default()
    };
    let key_of = |schema: &Value, kind: &str| -> Option<String> {
        schema
            .as_sequence()?
            .iter()
            .find(|k| text(k, &["KeyType"]) == Some(kind))
            .and_then(|k| text(k, &["AttributeName"]))
            .map(str::to_string)
    };
    let schema = props.get("KeySchema").ok_or("the table has no KeySchema")?;
    let indexes = list("GlobalSecondaryIndexes")
        .iter()
        .map(|gsi| {
            let schema = gsi.get("KeySchema").cloned().unwrap_or(Value::Null);
            Some((
                text(gsi, &["IndexName"])?.to_string(),
                key_of(&schema, "HASH")?,
                key_of(&schema, "RANGE")?,
            ))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or("a GlobalSecondaryIndex is incomplete")?;
    Ok(TableDef {
        attributes: list("AttributeDefinitions")
            .iter()
            .filter_map(|a| text(a, &["AttributeName"]).map(str::to_string))
            .collect(),
        hash_key: key_of(schema, "HASH").ok_or("the table has no HASH key")?,
        range_key: key_of(schema, "RANGE").ok_or("the table has no RANGE key")?,
        indexes,
        ttl_attribute: text(props, &["TimeToLiveSpecification", "AttributeName"])
            .map(str::to_string),
        stream_view: text(props, &["StreamSpecification", "StreamViewType"]).map(str::to_string),
    })
}
