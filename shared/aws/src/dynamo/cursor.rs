//! Page cursors: the key a Query goes on from, as URL-safe base64 of a small
//! JSON object of string attributes. Opaque to callers; checked on the way in
//! so a cursor of one list cannot be replayed against another.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bc_core::ports::{PortError, PortResult};

use super::items::{Item, s};
use super::schema::{Index, PK, SK};

/// A garbled, forged or foreign cursor is the caller's mistake.
fn invalid() -> PortError {
    PortError::Invalid("invalid page cursor".into())
}

/// The cursor that continues after `item` in `index`.
pub fn after_item(index: Index, item: &Item) -> PortResult<String> {
    let mut key = Item::new();
    for name in [PK, SK, index.pk(), index.sk()] {
        let value = item.get(name).ok_or_else(|| PortError::Backend(format!("DynamoDB: index item without {name}")))?;
        key.insert(name.to_string(), value.clone());
    }
    encode(&key)
}

/// The cursor of a `LastEvaluatedKey`.
pub fn encode(key: &Item) -> PortResult<String> {
    let mut plain = BTreeMap::new();
    for (name, value) in key {
        match value {
            AttributeValue::S(v) => plain.insert(name.as_str(), v.as_str()),
            _ => return Err(PortError::Backend(format!("DynamoDB: key attribute {name} is not a string"))),
        };
    }
    let json = serde_json::to_vec(&plain).map_err(|e| PortError::Backend(format!("cursor: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// The `ExclusiveStartKey` of a cursor, which must belong to the list of
/// `index` partition `partition`.
pub fn decode(cursor: &str, index: Index, partition: &str) -> PortResult<Item> {
    let json = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| invalid())?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&json).map_err(|_| invalid())?;
    let expected = [PK, SK, index.pk(), index.sk()];
    if plain.len() != expected.len()
        || !expected.iter().all(|k| plain.contains_key(*k))
        || plain.get(index.pk()).map(String::as_str) != Some(partition)
    {
        return Err(invalid());
    }
    Ok(plain.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_cursors() {
        let item: Item = [("pk", "RUN#r1"), ("sk", "RUN"), ("gsi1pk", "RUNS#j1"), ("gsi1sk", "t#r1"), ("x", "y")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), s(v)))
            .collect();
        let c = after_item(Index::Gsi1, &item).expect("encodes");
        let key = decode(&c, Index::Gsi1, "RUNS#j1").expect("decodes");
        assert_eq!(key.len(), 4);
        assert_eq!(key.get("gsi1sk"), Some(&s("t#r1")));
        assert!(decode(&c, Index::Gsi1, "RUNS#j2").is_err(), "another job's list");
        assert!(decode(&c, Index::Gsi2, "RUNS#j1").is_err(), "another index");
        assert!(decode("not base64!", Index::Gsi1, "RUNS#j1").is_err());
    }
}
