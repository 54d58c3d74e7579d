//! Open cursors: where a find/aggregate left off, so getMore continues without re-scanning.
//! A natural-order scan keeps the last record id it looked at; anything else keeps the
//! remaining documents (shared `Arc`s, no copies until a batch is built).

use std::collections::VecDeque;
use std::ops::Bound;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{Bson, Document};

use super::engine::Engine;
use super::matcher::Filter;
use super::projection::Projection;

/// Reply batches stop growing past this many bytes (the server's 16 MB reply limit).
pub const BATCH_BYTES: u64 = 16 * 1024 * 1024 - 64 * 1024;

/// Where the remaining results come from.
pub enum Source {
    /// Natural-order scan of `db.coll`, continuing after record id `last`, skipping `skip` matches.
    Scan {
        db: String,
        coll: String,
        last: Option<u64>,
        forward: bool,
        filter: Filter,
        skip: u64,
    },
    /// Results computed up front (sorted finds, aggregates, listings).
    Docs(VecDeque<Arc<Document>>),
    /// An index scan continued batch by batch.
    Index(Box<super::index_cursor::IndexScan>),
    /// A change stream reading the oplog.
    Change(Box<super::change_stream::ChangeStream>),
}

/// A tailable cursor (capped collections, the oplog): it stays open at the end of the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tail {
    /// getMore waits (up to its maxTimeMS) for new data instead of answering empty at once.
    pub await_data: bool,
}

pub struct Cursor {
    pub ns: String,
    pub source: Source,
    pub projection: Option<Projection>,
    /// Documents still allowed by `limit` (None: unlimited).
    pub remaining: Option<u64>,
    /// Last use; idle cursors are dropped after `CURSOR_IDLE` like the server's cursor timeout.
    pub used: Instant,
    /// Set for tailable cursors and change streams.
    pub tail: Option<Tail>,
    /// Opened with a maxTimeMS (its getMores run under that limit too).
    pub max_time: bool,
    /// What is left of that limit for the next getMore (None: no limit).
    pub time_left: Option<Duration>,
    /// find's returnKey/showRecordId, for results shaped as they stream.
    pub shape: Option<super::find_shape::Shape>,
}

/// The server's default cursor timeout (cursorTimeoutMillis, 10 minutes).
pub const CURSOR_IDLE: Duration = Duration::from_secs(600);

impl Cursor {
    pub fn new(
        ns: String,
        source: Source,
        projection: Option<Projection>,
        remaining: Option<u64>,
    ) -> Cursor {
        Cursor {
            ns,
            source,
            projection,
            remaining,
            used: Instant::now(),
            tail: None,
            max_time: false,
            time_left: None,
            shape: None,
        }
    }

    pub fn docs(ns: String, docs: impl IntoIterator<Item = Arc<Document>>) -> Cursor {
        Cursor {
            used: Instant::now(),
            ns,
            source: Source::Docs(docs.into_iter().collect()),
            projection: None,
            remaining: None,
            tail: None,
            max_time: false,
            time_left: None,
            shape: None,
        }
    }

    /// A change stream's `postBatchResumeToken` (None for other cursors).
    pub fn post_batch_token(&self) -> Option<Document> {
        match &self.source {
            Source::Change(cs) => Some(cs.resume_token.clone()),
            _ => None,
        }
    }
}

impl Engine {
    /// Up to `max_docs` (None: as many as fit) results; the flag is true when nothing is left.
    pub fn next_batch(&self, cur: &mut Cursor, max_docs: Option<u64>) -> (Vec<Bson>, bool) {
        let mut out = Vec::new();
        let mut bytes = 0u64;
        let cap = match (max_docs, cur.remaining) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let full =
            |n: usize, bytes: u64| cap.is_some_and(|c| n as u64 >= c) || bytes >= BATCH_BYTES;
        let projection = cur.projection.clone();
        let shape = cur.shape.clone();
        let emit = |d: &Document, rid: Option<u64>| -> Bson {
            let projects = shape.as_ref().is_none_or(|s| s.projects());
            let projected = match &projection {
                Some(p) if projects => p.apply(d),
                _ => d.clone(),
            };
            match &shape {
                Some(s) => Bson::Document(s.apply(d, projected, rid)),
                None => Bson::Document(projected),
            }
        };
        let visible = self.visible_ts.unwrap_or(self.last_applied.ts);
        let exhausted = match &mut cur.source {
            Source::Change(cs) => {
                let budget = BATCH_BYTES.saturating_sub(bytes);
                out.extend(cs.next_events(self, cap, budget, visible));
                cs.ended
            }
            Source::Docs(q) => {
                while !full(out.len(), bytes) {
                    let Some(d) = q.pop_front() else { break };
                    bytes += u64::from(super::collection::bson_size(&d));
                    out.push(emit(&d, None));
                }
                q.is_empty()
            }
            Source::Index(scan) => match self.coll(&scan.db, &scan.coll) {
                None => true,
                Some(_) if full(out.len(), bytes) => false,
                Some(c) => scan.advance(c, &mut |doc, size, rid| {
                    bytes += u64::from(size);
                    out.push(emit(doc, Some(rid)));
                    !full(out.len(), bytes)
                }),
            },
            Source::Scan {
                db,
                coll,
                last,
                forward,
                filter,
                skip,
            } => match self.coll(db, coll) {
                None => true,
                Some(c) => {
                    let range = match (*forward, *last) {
                        (true, Some(l)) => c.docs.range((Bound::Excluded(l), Bound::Unbounded)),
                        (false, Some(l)) => c.docs.range((Bound::Unbounded, Bound::Excluded(l))),
                        (_, None) => c.docs.range(..),
                    };
                    let mut iter: Box<dyn Iterator<Item = (&u64, &super::collection::Stored)>> =
                        if *forward {
                            Box::new(range)
                        } else {
                            Box::new(range.rev())
                        };
                    // As mongod's collection scan, the end is only known once the scan finds
                    // nothing more: a batch filled by the last document leaves the cursor open,
                    // and the next getMore answers an empty batch with cursor id 0.
                    let mut ended = false;
                    while !full(out.len(), bytes) && !super::interrupt::expired() {
                        let Some((rid, s)) = iter.next() else {
                            ended = true;
                            break;
                        };
                        *last = Some(*rid);
                        let doc = s.doc();
                        if !filter.matches(&doc) {
                            continue;
                        }
                        if *skip > 0 {
                            *skip -= 1;
                            continue;
                        }
                        bytes += u64::from(s.size);
                        out.push(emit(&doc, Some(*rid)));
                    }
                    ended
                }
            },
        };
        if let Some(r) = &mut cur.remaining {
            *r = r.saturating_sub(out.len() as u64);
        }
        let tailing = cur.tail.is_some() && !matches!(cur.source, Source::Change(_));
        let done = (exhausted && !tailing) || cur.remaining == Some(0);
        (out, done)
    }

    /// Registers an open cursor and returns its id (positive, never 0).
    pub fn register_cursor(&mut self, mut cur: Cursor) -> i64 {
        self.cursors.retain(|_, c| c.used.elapsed() < CURSOR_IDLE);
        cur.used = Instant::now();
        loop {
            let id: i64 = rand::random::<i64>() & 0x3fff_ffff_ffff_ffff;
            if id != 0 && !self.cursors.contains_key(&id) {
                self.cursors.insert(id, cur);
                return id;
            }
        }
    }
}

impl super::Store {
    /// What is left of cursor `id`'s time limit (None: no limit, awaitData, or no such cursor).
    pub fn cursor_time_left(&self, id: i64) -> Option<Duration> {
        let e = self.lock();
        let c = e.cursors.get(&id)?;
        if c.tail.is_some_and(|t| t.await_data) || matches!(c.source, Source::Change(_)) {
            return None;
        }
        c.time_left
    }

    /// Keeps `left` of the limit for cursor `id`'s next getMore (mongod charges a cursor only
    /// for the time its commands run, not the time between them).
    pub fn set_cursor_time_left(&self, id: i64, left: Duration) {
        if let Some(c) = self.lock().cursors.get_mut(&id) {
            c.time_left = Some(left);
        }
    }

    /// Closes cursor `id` (a getMore or find that ran out of time takes its cursor with it).
    pub fn close_cursor(&self, id: i64) {
        self.lock().cursors.remove(&id);
    }
}
