//! Conditions and updates as data, so one definition serves both adapters: DynamoDB
//! renders them to expressions, the embedded store evaluates them on JSON items.
//! Attribute paths use dots for nesting (`pickup.state`).

use serde_json::Value;
use std::cmp::Ordering;

use super::Item;

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Exists(String),
    NotExists(String),
    Eq(String, Value),
    Ne(String, Value),
    Lt(String, Value),
    Gt(String, Value),
    In(String, Vec<Value>),
    /// Substring of a string attribute (DynamoDB's `contains`).
    Contains(String, String),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    pub fn exists(path: &str) -> Self {
        Cond::Exists(path.into())
    }
    pub fn not_exists(path: &str) -> Self {
        Cond::NotExists(path.into())
    }
    pub fn eq(path: &str, value: impl Into<Value>) -> Self {
        Cond::Eq(path.into(), value.into())
    }
    pub fn ne(path: &str, value: impl Into<Value>) -> Self {
        Cond::Ne(path.into(), value.into())
    }
    pub fn lt(path: &str, value: impl Into<Value>) -> Self {
        Cond::Lt(path.into(), value.into())
    }
    pub fn gt(path: &str, value: impl Into<Value>) -> Self {
        Cond::Gt(path.into(), value.into())
    }
    pub fn one_of<V: Into<Value>>(path: &str, values: impl IntoIterator<Item = V>) -> Self {
        Cond::In(path.into(), values.into_iter().map(Into::into).collect())
    }
    pub fn contains(path: &str, needle: &str) -> Self {
        Cond::Contains(path.into(), needle.into())
    }
    pub fn and(self, other: Cond) -> Self {
        match self {
            Cond::And(mut all) => {
                all.push(other);
                Cond::And(all)
            }
            first => Cond::And(vec![first, other]),
        }
    }

    /// Evaluates the condition on an item (`None`: the item does not exist), as DynamoDB does.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let get = |path: &str| item.and_then(|item| lookup(item, path));
        match self {
            Cond::Exists(p) => get(p).is_some(),
            Cond::NotExists(p) => get(p).is_none(),
            Cond::Eq(p, v) => get(p).is_some_and(|a| same(a, v)),
            Cond::Ne(p, v) => !get(p).is_some_and(|a| same(a, v)),
            Cond::Lt(p, v) => get(p).and_then(|a| compare(a, v)) == Some(Ordering::Less),
            Cond::Gt(p, v) => get(p).and_then(|a| compare(a, v)) == Some(Ordering::Greater),
            Cond::In(p, vs) => get(p).is_some_and(|a| vs.iter().any(|v| same(a, v))),
            Cond::Contains(p, needle) => match get(p) {
                Some(Value::String(s)) => s.contains(needle.as_str()),
                Some(Value::Array(items)) => {
                    items.iter().any(|i| i.as_str() == Some(needle.as_str()))
                }
                _ => false,
            },
            Cond::And(all) => all.iter().all(|c| c.holds(item)),
            Cond::Or(any) => any.iter().any(|c| c.holds(item)),
            Cond::Not(c) => !c.holds(item),
        }
    }
}

/// One change to an item; an [`Update`] applies several at once.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Set(String, Value),
    Remove(String),
    /// Adds to a number, starting from 0 when the attribute is missing.
    Increment(String, i64),
    /// Appends to a list, starting from an empty list when the attribute is missing.
    Append(String, Vec<Value>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub actions: Vec<Action>,
}

impl Update {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn set(mut self, path: &str, value: impl Into<Value>) -> Self {
        self.actions.push(Action::Set(path.into(), value.into()));
        self
    }
    /// Sets the attribute when `value` is `Some`, removes it when `None`.
    pub fn set_or_remove(self, path: &str, value: Option<Value>) -> Self {
        match value {
            Some(v) if !v.is_null() => self.set(path, v),
            _ => self.remove(path),
        }
    }
    pub fn remove(mut self, path: &str) -> Self {
        self.actions.push(Action::Remove(path.into()));
        self
    }
    pub fn increment(mut self, path: &str, by: i64) -> Self {
        self.actions.push(Action::Increment(path.into(), by));
        self
    }
    pub fn append(mut self, path: &str, values: Vec<Value>) -> Self {
        self.actions.push(Action::Append(path.into(), values));
        self
    }

    /// Applies the update to an item in place (the embedded store's semantics of DynamoDB's).
    pub fn apply(&self, item: &mut Item) -> Result<(), String> {
        for action in &self.actions {
            match action {
                Action::Set(p, v) => {
                    let (map, last) = parent_mut(item, p)?;
                    map.insert(last.to_string(), v.clone());
                }
                Action::Remove(p) => {
                    if let Ok((map, last)) = parent_mut(item, p) {
                        map.remove(last);
                    }
                }
                Action::Increment(p, by) => {
                    let (map, last) = parent_mut(item, p)?;
                    let current = match map.get(last) {
                        None | Some(Value::Null) => 0,
                        Some(v) => v.as_i64().ok_or_else(|| format!("{p} is not a number"))?,
                    };
                    map.insert(last.to_string(), Value::from(current + by));
                }
                Action::Append(p, values) => {
                    let (map, last) = parent_mut(item, p)?;
                    let mut list = match map.remove(last) {
                        None | Some(Value::Null) => Vec::new(),
                        Some(Value::Array(list)) => list,
                        Some(other) => {
                            map.insert(last.to_string(), other);
                            return Err(format!("{p} is not a list"));
                        }
                    };
                    list.extend(values.iter().cloned());
                    map.insert(last.to_string(), Value::Array(list));
                }
            }
        }
        Ok(())
    }
}

/// The value at a dotted path.
pub fn lookup<'a>(item: &'a Item, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = item.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value).filter(|v| !v.is_null())
}

/// The map that holds the last segment of a dotted path; parents must exist, as in DynamoDB.
fn parent_mut<'a, 'p>(
    item: &'a mut Item,
    path: &'p str,
) -> Result<(&'a mut Item, &'p str), String> {
    match path.rsplit_once('.') {
        None => Ok((item, path)),
        Some((parent, last)) => {
            let mut map = item;
            for part in parent.split('.') {
                map = map
                    .get_mut(part)
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| format!("the document path {path} does not exist"))?;
            }
            Ok((map, last))
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}
