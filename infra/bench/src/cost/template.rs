//! What the bill depends on in `template.yaml`: each function's memory (by its binary),
//! whether Lambda writes its own lines to its logs, and each index's projection.

use serde_yaml_ng::Value;
use std::collections::HashMap;

use portal::store::Index;

#[derive(Debug, Clone, PartialEq)]
pub enum Projection {
    All,
    KeysOnly,
    Include(Vec<String>),
}

impl Projection {
    /// Whether an attribute other than the keys is in the index entry.
    pub fn projects(&self, attribute: &str) -> bool {
        match self {
            Projection::All => true,
            Projection::KeysOnly => false,
            Projection::Include(names) => names.iter().any(|n| n == attribute),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Projection::All => "ALL".into(),
            Projection::KeysOnly => "KEYS_ONLY".into(),
            Projection::Include(names) => format!("INCLUDE {}", names.join(", ")),
        }
    }
}

pub struct Billing {
    /// Memory in MB, by binary (the Globals' default for a function without its own).
    pub memory: HashMap<String, u64>,
    pub default_memory: u64,
    /// Binaries whose Lambda's own INFO lines (`platform.start`, `platform.report`) go to
    /// their logs: `LoggingConfig.SystemLogLevel` INFO or DEBUG, or unset (INFO is
    /// Lambda's default). WARN sends none of them.
    pub platform_lines: HashMap<String, bool>,
    pub default_platform_lines: bool,
    pub projections: Vec<(Index, Projection)>,
}

impl Billing {
    pub fn memory_of(&self, binary: &str) -> u64 {
        self.memory
            .get(binary)
            .copied()
            .unwrap_or(self.default_memory)
    }

    /// Whether Lambda writes its own per-invocation lines to the logs of `binary`.
    pub fn platform_lines_of(&self, binary: &str) -> bool {
        self.platform_lines
            .get(binary)
            .copied()
            .unwrap_or(self.default_platform_lines)
    }

    pub fn parse(yaml: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml_ng::from_str(yaml).map_err(|e| e.to_string())?;
        let default_memory = doc["Globals"]["Function"]["MemorySize"]
            .as_u64()
            .unwrap_or(128);
        let info_lines = |logging: &Value| -> Option<bool> {
            logging["SystemLogLevel"]
                .as_str()
                .map(|level| level != "WARN")
        };
        let default_platform_lines =
            info_lines(&doc["Globals"]["Function"]["LoggingConfig"]).unwrap_or(true);
        let mut platform_lines = HashMap::new();
        let mut memory = HashMap::new();
        let mut projections = vec![];
        let resources = doc["Resources"]
            .as_mapping()
            .ok_or("template.yaml has no Resources")?;
        for (_, resource) in resources {
            match resource["Type"].as_str() {
                Some("AWS::Serverless::Function") => {
                    let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str();
                    if let (Some(binary), Some(mb)) =
                        (binary, resource["Properties"]["MemorySize"].as_u64())
                    {
                        memory.insert(binary.to_string(), mb);
                    }
                    if let (Some(binary), Some(lines)) =
                        (binary, info_lines(&resource["Properties"]["LoggingConfig"]))
                    {
                        platform_lines.insert(binary.to_string(), lines);
                    }
                }
                Some("AWS::DynamoDB::Table") => {
                    for gsi in resource["Properties"]["GlobalSecondaryIndexes"]
                        .as_sequence()
                        .into_iter()
                        .flatten()
                    {
                        let name = gsi["IndexName"].as_str().unwrap_or_default();
                        let Some(index) = Index::ALL.into_iter().find(|i| i.name() == name) else {
                            return Err(format!("template.yaml: unknown index {name}"));
                        };
                        let projection = match gsi["Projection"]["ProjectionType"].as_str() {
                            Some("KEYS_ONLY") => Projection::KeysOnly,
                            Some("INCLUDE") => Projection::Include(
                                gsi["Projection"]["NonKeyAttributes"]
                                    .as_sequence()
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|v| v.as_str().map(String::from))
                                    .collect(),
                            ),
                            _ => Projection::All,
                        };
                        projections.push((index, projection));
                    }
                }
                _ => {}
            }
        }
        Ok(Self {
            memory,
            default_memory,
            platform_lines,
            default_platform_lines,
            projections,
        })
    }
}
