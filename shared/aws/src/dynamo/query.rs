//! Queries on one partition of an index, and paging over them: one place
//! for key conditions, filters, cursors and "fill the page across reads".

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use bc_core::ports::PortResult;

use super::items::{Item, s};
use super::schema::Index;
use super::{DynamoStore, SERVICE, cursor};
use crate::error::backend;

/// A Query reads at most this many items per request.
const QUERY_PAGE_MAX: usize = 1000;
/// When a filter drops items, read at least this many per request.
const FILTERED_PAGE_MIN: usize = 100;

/// The key range of a Query within its partition.
#[derive(Debug, Clone)]
pub(crate) enum Range {
    All,
    /// Sort key strictly below the value.
    Below(String),
    /// Sort key beginning with the value.
    Prefix(String),
    /// Sort key between the two values (inclusive).
    Between(String, String),
}

/// A FilterExpression built from AND-ed parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    parts: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Filter {
    pub(crate) fn and(mut self, expr: &str, names: &[(&str, &str)], values: &[(&str, AttributeValue)]) -> Self {
        self.parts.push(expr.to_string());
        self.names.extend(names.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.values.extend(values.iter().map(|(k, v)| (k.to_string(), v.clone())));
        self
    }

    fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// A Query on one partition of an index.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub index: Index,
    pub partition: String,
    pub range: Range,
    pub filter: Filter,
    pub newest_first: bool,
    /// Attributes to read (all when empty).
    pub projection: Vec<String>,
}

impl Query {
    pub(crate) fn new(index: Index, partition: impl Into<String>) -> Self {
        Query {
            index,
            partition: partition.into(),
            range: Range::All,
            filter: Filter::default(),
            newest_first: false,
            projection: Vec::new(),
        }
    }

    pub(crate) fn range(mut self, range: Range) -> Self {
        self.range = range;
        self
    }

    pub(crate) fn filter(mut self, filter: Filter) -> Self {
        self.filter = filter;
        self
    }

    /// Read only these attributes (lists that need a few fields of many items).
    pub(crate) fn project(mut self, attributes: &[&str]) -> Self {
        self.projection = attributes.iter().map(|a| a.to_string()).collect();
        self
    }

    pub(crate) fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }
}

impl DynamoStore {
    async fn query_once(
        &self,
        q: &Query,
        start: Option<Item>,
        limit: Option<usize>,
        op: &str,
    ) -> PortResult<(Vec<Item>, Option<Item>)> {
        let mut names = HashMap::from([("#ipk".to_string(), q.index.pk().to_string())]);
        let mut values = HashMap::from([(":ipk".to_string(), s(q.partition.clone()))]);
        let key_condition = match &q.range {
            Range::All => "#ipk = :ipk".to_string(),
            Range::Below(v) => {
                names.insert("#isk".into(), q.index.sk().into());
                values.insert(":isk".into(), s(v.clone()));
                "#ipk = :ipk AND #isk < :isk".to_string()
            }
            Range::Between(lo, hi) => {
                names.insert("#isk".into(), q.index.sk().into());
                values.insert(":lo".into(), s(lo.clone()));
                values.insert(":hi".into(), s(hi.clone()));
                "#ipk = :ipk AND #isk BETWEEN :lo AND :hi".to_string()
            }
            Range::Prefix(v) => {
                names.insert("#isk".into(), q.index.sk().into());
                values.insert(":isk".into(), s(v.clone()));
                "#ipk = :ipk AND begins_with(#isk, :isk)".to_string()
            }
        };
        let filter = (!q.filter.is_empty()).then(|| q.filter.parts.join(" AND "));
        names.extend(q.filter.names.clone());
        let projection = (!q.projection.is_empty()).then(|| {
            q.projection
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let name = format!("#p{i}");
                    names.insert(name.clone(), a.clone());
                    name
                })
                .collect::<Vec<_>>()
                .join(", ")
        });
        values.extend(q.filter.values.clone());
        self.count();
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(q.index.name())
            .key_condition_expression(key_condition)
            .set_filter_expression(filter)
            .set_projection_expression(projection)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(!q.newest_first)
            .set_limit(limit.map(|l| l.clamp(1, QUERY_PAGE_MAX) as i32))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| backend(SERVICE, op, e))?;
        Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
    }

    /// Up to `limit` matching items from `cursor` on, and the cursor of the
    /// rest. Filtered queries read on across pages until `limit` items
    /// matched or the partition ends; the cursor then points just after the
    /// last item returned, so nothing is skipped or repeated.
    pub(crate) async fn query_page(
        &self,
        q: &Query,
        cursor: Option<&str>,
        limit: usize,
        op: &str,
    ) -> PortResult<(Vec<Item>, Option<String>)> {
        let mut start = cursor.map(|c| cursor::decode(c, q.index, &q.partition)).transpose()?;
        let mut items = Vec::new();
        if limit == 0 {
            return Ok((items, None));
        }
        loop {
            let want = limit - items.len();
            // One more than needed tells whether a next page exists.
            let read = if q.filter.is_empty() { want + 1 } else { (want + 1).max(FILTERED_PAGE_MIN) };
            let (page, last_key) = self.query_once(q, start.take(), Some(read), op).await?;
            for item in page {
                if items.len() == limit {
                    let next = items.last().map(|last| cursor::after_item(q.index, last)).transpose()?;
                    return Ok((items, next));
                }
                items.push(item);
            }
            match last_key {
                None => return Ok((items, None)),
                Some(key) if items.len() == limit => return Ok((items, Some(cursor::encode(&key)?))),
                Some(key) => start = Some(key),
            }
        }
    }

    /// Every matching item of the partition (lists that are small by nature:
    /// customers, users, unreviewed runs).
    pub(crate) async fn query_all(&self, q: &Query, op: &str) -> PortResult<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let (page, last_key) = self.query_once(q, start, None, op).await?;
            items.extend(page);
            match last_key {
                Some(key) => start = Some(key),
                None => return Ok(items),
            }
        }
    }
}
