//! Open cursors: where a find/aggregate left off, so getMore continues without re-scanning.

use std::collections::VecDeque;

use bson::Document;

use super::matcher::Filter;
use super::projection::Projection;

/// Where the remaining results come from.
pub enum Source {
    /// Natural-order scan of `db.coll` continuing after record id `last` (exclusive).
    Scan {
        db: String,
        coll: String,
        last: Option<u64>,
        forward: bool,
        filter: Filter,
    },
    /// Results computed up front (sorted finds, aggregates, listings).
    Docs(VecDeque<Document>),
}

pub struct Cursor {
    pub ns: String,
    pub source: Source,
    pub projection: Option<Projection>,
    /// Documents still allowed by `limit` (None: unlimited).
    pub remaining: Option<u64>,
}
