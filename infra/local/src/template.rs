//! Reads what the local server and the tests need from `template.yaml`: each function's
//! binary and HTTP routes (the paths of the HTTP API's `DefinitionBody`, each method's
//! integration naming its function), and the table's keys and indexes.

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
    /// `security: [{NONE: []}]`: no API key (other methods get the default authorizer).
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    pub attributes: Vec<String>,
    pub hash_key: String,
    pub range_key: String,
    /// (index name, hash key, range key)
    pub indexes: Vec<(String, String, String)>,
    /// The indexes that project only the keys (`ProjectionType: KEYS_ONLY`); the others
    /// project every attribute.
    pub keys_only: Vec<String>,
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
        let mut routes = Vec::new();
        for (id, resource) in resources {
            let id = id.as_str().unwrap_or_default().to_string();
            match resource.get("Type").and_then(Value::as_str) {
                Some("AWS::Serverless::Function") => functions.push(function(&id, resource)?),
                Some("AWS::DynamoDB::Table") => table = Some(table_def(resource)?),
                Some("AWS::Serverless::HttpApi") => routes.extend(api_routes(&id, resource)?),
                _ => {}
            }
        }
        for (function_id, route) in routes {
            functions
                .iter_mut()
                .find(|f| f.logical_id == function_id)
                .ok_or_else(|| {
                    format!(
                        "{} {}: its integration names {function_id}, which is no function",
                        route.method, route.path
                    )
                })?
                .routes
                .push(route);
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
    let events = resource
        .get("Properties")
        .and_then(|p| p.get("Events"))
        .and_then(Value::as_mapping);
    if events.is_some_and(|events| {
        events
            .values()
            .any(|e| e.get("Type").and_then(Value::as_str) == Some("HttpApi"))
    }) {
        return Err(format!(
            "{id}: an HttpApi event (SAM would add a Lambda permission for it): \
             its route belongs in HttpApi's DefinitionBody"
        ));
    }
    Ok(FunctionDef {
        logical_id: id.to_string(),
        binary,
        routes: Vec::new(),
    })
}

/// Each (function logical id, route) of an HTTP API's `DefinitionBody.paths`: the function
/// is the `${XFunction.Arn}` of the method's integration uri.
fn api_routes(id: &str, resource: &Value) -> Result<Vec<(String, RouteDef)>, String> {
    let Some(paths) = resource
        .get("Properties")
        .and_then(|p| p.get("DefinitionBody"))
        .and_then(|b| b.get("paths"))
        .and_then(Value::as_mapping)
    else {
        return Ok(Vec::new());
    };
    let mut routes = Vec::new();
    for (path, methods) in paths {
        let path = path
            .as_str()
            .ok_or_else(|| format!("{id}: a path is not text"))?;
        let methods = methods
            .as_mapping()
            .ok_or_else(|| format!("{id}: {path} has no methods"))?;
        for (method, operation) in methods {
            let method = method.as_str().unwrap_or_default();
            if method == "parameters" {
                continue;
            }
            let uri = operation
                .get("x-amazon-apigateway-integration")
                .and_then(|i| i.get("uri"))
                .map(untagged)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{id}: {method} {path} has no integration uri"))?;
            let function = uri
                .split_once("/functions/${")
                .and_then(|(_, rest)| rest.split_once(".Arn}"))
                .map(|(function, _)| function.to_string())
                .ok_or_else(|| format!("{id}: {method} {path}: no ${{Function.Arn}} in {uri}"))?;
            let public = operation
                .get("security")
                .and_then(Value::as_sequence)
                .is_some_and(|s| s.iter().any(|r| r.get("NONE").is_some()));
            routes.push((
                function,
                RouteDef {
                    method: method.to_uppercase(),
                    path: path.to_string(),
                    public,
                },
            ));
        }
    }
    Ok(routes)
}

/// The value under a YAML tag (`!Sub ...`).
fn untagged(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => untagged(&tagged.value),
        other => other,
    }
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
        keys_only: list("GlobalSecondaryIndexes")
            .iter()
            .filter(|gsi| text(gsi, &["Projection", "ProjectionType"]) == Some("KEYS_ONLY"))
            .filter_map(|gsi| text(gsi, &["IndexName"]).map(str::to_string))
            .collect(),
        indexes,
        ttl_attribute: text(props, &["TimeToLiveSpecification", "AttributeName"])
            .map(str::to_string),
        stream_view: text(props, &["StreamSpecification", "StreamViewType"]).map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}, {AttributeName: SK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}, {AttributeName: SK, KeyType: RANGE}]
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        paths:
          /v1/things/{thingId}:
            parameters: []
            get:
              x-amazon-apigateway-integration:
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${GetThingFunction.Arn}/invocations
              responses: {}
            delete:
              x-amazon-apigateway-integration:
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${GetThingFunction.Arn}/invocations
              security: [{NONE: []}]
  GetThingFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: get-thing}}
    Properties: {}
"#;

    #[test]
    fn routes_come_from_the_definition_body() {
        let template = Template::parse(TEMPLATE).unwrap();
        assert_eq!(
            template.functions[0].routes,
            vec![
                RouteDef {
                    method: "GET".into(),
                    path: "/v1/things/{thingId}".into(),
                    public: false,
                },
                RouteDef {
                    method: "DELETE".into(),
                    path: "/v1/things/{thingId}".into(),
                    public: true,
                },
            ]
        );
    }

    #[test]
    fn a_route_to_no_function_and_an_http_api_event_are_refused() {
        let unknown = TEMPLATE.replace("${GetThingFunction.Arn}", "${GoneFunction.Arn}");
        let error = Template::parse(&unknown).unwrap_err();
        assert!(
            error.contains("GoneFunction, which is no function"),
            "{error}"
        );
        let event = TEMPLATE.replace(
            "Properties: {}",
            "Properties: {Events: {Api: {Type: HttpApi, Properties: {Path: /x, Method: GET}}}}",
        );
        let error = Template::parse(&event).unwrap_err();
        assert!(
            error.contains("GetThingFunction: an HttpApi event"),
            "{error}"
        );
    }
}
