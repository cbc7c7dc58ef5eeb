//! The query body of `POST {Entity}/query`: `{"MaxRecords", "IncludeFields", "filter": [...]}`.

use serde::Serialize;
use serde_json::{Value, json};

/// One filter item, or an `and` / `or` group. Field names are Autotask's camelCase (`ticketID`, `companyID`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filter(Value);

impl Filter {
    pub fn op(op: &str, field: &str, value: impl Into<Value>) -> Filter {
        Filter(json!({"op": op, "field": field, "value": value.into()}))
    }
    pub fn eq(field: &str, value: impl Into<Value>) -> Filter {
        Self::op("eq", field, value)
    }
    pub fn contains(field: &str, value: impl Into<Value>) -> Filter {
        Self::op("contains", field, value)
    }
    pub fn gte(field: &str, value: impl Into<Value>) -> Filter {
        Self::op("gte", field, value)
    }
    pub fn exist(field: &str) -> Filter {
        Filter(json!({"op": "exist", "field": field}))
    }
    pub fn or(items: Vec<Filter>) -> Filter {
        Filter(json!({"op": "or", "items": items}))
    }
    pub fn and(items: Vec<Filter>) -> Filter {
        Filter(json!({"op": "and", "items": items}))
    }
}

/// A query: all filters must hold. Autotask refuses a query without a filter; [`Query::all`] uses `id exist`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub filter: Vec<Filter>,
    /// Records per page, at most 500 (Autotask's maximum; the default).
    pub max_records: Option<u32>,
    pub include_fields: Vec<String>,
}

impl Query {
    pub fn new(filter: Filter) -> Query {
        Query { filter: vec![filter], ..Query::default() }
    }
    pub fn all() -> Query {
        Query::new(Filter::exist("id"))
    }
    pub fn and(mut self, filter: Filter) -> Query {
        self.filter.push(filter);
        self
    }
    pub fn max_records(mut self, n: u32) -> Query {
        self.max_records = Some(n.clamp(1, 500));
        self
    }
    /// The JSON body; the same body is POSTed again to every `nextPageUrl`.
    pub fn body(&self) -> Value {
        let mut b = json!({ "filter": self.filter });
        if let Some(m) = self.max_records {
            b["MaxRecords"] = json!(m);
        }
        if !self.include_fields.is_empty() {
            b["IncludeFields"] = json!(self.include_fields);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shape() {
        let q = Query::new(Filter::eq("ticketID", 5)).max_records(900);
        assert_eq!(q.body(), json!({"filter": [{"op": "eq", "field": "ticketID", "value": 5}], "MaxRecords": 500}));
    }
}
