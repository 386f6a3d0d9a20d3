//! Domain values ↔ stored items: a value's attributes plus its keys and what it is.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{Item, Key, StoreError, PK, SK};

/// Attribute naming what an item is (for humans reading the table and for stream filters).
pub const ENTITY: &str = "entity";

pub fn to_item<T: Serialize>(value: &T, key: &Key, entity: &str) -> Result<Item, StoreError> {
    let Value::Object(mut item) = serde_json::to_value(value)
        .map_err(|e| StoreError::Invalid(format!("{entity} does not serialise: {e}")))?
    else {
        return Err(StoreError::Invalid(format!(
            "{entity} does not serialise to a map"
        )));
    };
    item.insert(PK.into(), key.pk.clone().into());
    item.insert(SK.into(), key.sk.clone().into());
    item.insert(ENTITY.into(), entity.into());
    Ok(item)
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(item))
        .map_err(|e| StoreError::Backend(format!("unreadable stored item: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Thing {
        name: String,
    }

    #[test]
    fn a_value_round_trips_with_its_keys_and_entity() {
        let thing = Thing { name: "a".into() };
        let item = to_item(&thing, &Key::new("P", "S"), "Thing").unwrap();
        assert_eq!(item["PK"], "P");
        assert_eq!(item["SK"], "S");
        assert_eq!(item["entity"], "Thing");
        assert_eq!(from_item::<Thing>(item).unwrap(), thing);
        assert!(to_item(&1, &Key::new("P", "S"), "Number").is_err());
        assert!(from_item::<Thing>(Item::new()).is_err());
    }
}
