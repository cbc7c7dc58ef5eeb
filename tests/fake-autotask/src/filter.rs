//! Autotask query filters: `{"op","field","value"}` items and `{"op":"and"|"or","items":[...]}` groups.
//! Field names and string comparisons are case-insensitive, as on the real API; numbers and numeric
//! strings compare as numbers (`"5"` equals `5`).

use serde_json::Value;

const OPS: &[&str] = &[
    "eq",
    "noteq",
    "gt",
    "gte",
    "lt",
    "lte",
    "beginswith",
    "endswith",
    "contains",
    "exist",
    "notexist",
    "in",
    "notin",
    "and",
    "or",
];

/// Checks the shape of one filter item; the message is what the fake answers with a 500.
pub fn validate(f: &Value) -> Result<(), String> {
    let op = f.get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).unwrap_or_default();
    if !OPS.contains(&op.as_str()) {
        return Err(format!("Invalid filter operator: '{op}'."));
    }
    if op == "and" || op == "or" {
        let items = f.get("items").and_then(Value::as_array).ok_or("A filter group must contain items.")?;
        if items.len() > 500 {
            return Err("A query may contain at most 500 OR conditions.".into());
        }
        return items.iter().try_for_each(validate);
    }
    if f.get("field").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err("A filter item must name a field.".into());
    }
    if !matches!(op.as_str(), "exist" | "notexist") && f.get("value").is_none() {
        return Err(format!("A filter item with op '{op}' must have a value."));
    }
    Ok(())
}

fn field<'a>(item: &'a Value, name: &str) -> Option<&'a Value> {
    item.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v).filter(|v| !v.is_null())
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_lowercase(),
        other => other.to_string().to_lowercase(),
    }
}

fn cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (num(a), num(b)) {
        (Some(x), Some(y)) if !(a.is_string() && b.is_string()) => x.partial_cmp(&y),
        _ => Some(text(a).cmp(&text(b))),
    }
}

/// Whether `item` satisfies the (already validated) filter `f`.
pub fn matches(f: &Value, item: &Value) -> bool {
    let op = f.get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).unwrap_or_default();
    let items = || f.get("items").and_then(Value::as_array).into_iter().flatten();
    match op.as_str() {
        "and" => return items().all(|g| matches(g, item)),
        "or" => return items().any(|g| matches(g, item)),
        _ => {}
    }
    let name = f.get("field").and_then(Value::as_str).unwrap_or("");
    let actual = field(item, name);
    let want = f.get("value").unwrap_or(&Value::Null);
    use std::cmp::Ordering::*;
    match (op.as_str(), actual) {
        ("exist", a) => a.is_some(),
        ("notexist", a) => a.is_none(),
        ("noteq", None) => true,
        ("notin", None) => true,
        (_, None) => false,
        ("eq", Some(a)) => cmp(a, want) == Some(Equal),
        ("noteq", Some(a)) => cmp(a, want) != Some(Equal),
        ("gt", Some(a)) => cmp(a, want) == Some(Greater),
        ("gte", Some(a)) => matches!(cmp(a, want), Some(Greater | Equal)),
        ("lt", Some(a)) => cmp(a, want) == Some(Less),
        ("lte", Some(a)) => matches!(cmp(a, want), Some(Less | Equal)),
        ("beginswith", Some(a)) => text(a).starts_with(&text(want)),
        ("endswith", Some(a)) => text(a).ends_with(&text(want)),
        ("contains", Some(a)) => text(a).contains(&text(want)),
        ("in", Some(a)) => want.as_array().is_some_and(|vs| vs.iter().any(|v| cmp(a, v) == Some(Equal))),
        ("notin", Some(a)) => !want.as_array().is_some_and(|vs| vs.iter().any(|v| cmp(a, v) == Some(Equal))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operators() {
        let t = json!({"id": 7, "ticketNumber": "T20261130.0001", "status": 5, "title": "Backup Failed", "x": null});
        assert!(matches(&json!({"op": "eq", "field": "ticketnumber", "value": "t20261130.0001"}), &t));
        assert!(matches(&json!({"op": "eq", "field": "status", "value": "5"}), &t));
        assert!(matches(&json!({"op": "gte", "field": "id", "value": 7}), &t));
        assert!(!matches(&json!({"op": "gt", "field": "id", "value": 7}), &t));
        assert!(matches(&json!({"op": "contains", "field": "title", "value": "failed"}), &t));
        assert!(matches(&json!({"op": "in", "field": "status", "value": [1, 5]}), &t));
        assert!(matches(&json!({"op": "notExist", "field": "x"}), &t));
        assert!(matches(
            &json!({"op": "or", "items": [{"op": "eq", "field": "id", "value": 1}, {"op": "exist", "field": "id"}]}),
            &t
        ));
        assert!(validate(&json!({"op": "like", "field": "id", "value": 1})).is_err());
        assert!(validate(&json!({"op": "eq", "value": 1})).is_err());
    }
}
