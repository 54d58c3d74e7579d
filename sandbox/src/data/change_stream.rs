//! Change streams: `aggregate` with a leading `$changeStream` stage on a collection, a database
//! (`aggregate: 1`) or the whole cluster (`allChangesForCluster` on `admin`), read from
//! `local.oplog.rs` as a tailing cursor. Events have mongod's shape (`_id` resume token,
//! `operationType`, `clusterTime`, `wallTime`, `fullDocument`, `ns`, `documentKey`,
//! `updateDescription`); only majority-committed entries are shown, so a stream resumed on a new
//! primary after a failover neither repeats nor misses events. Resume tokens are
//! `{_data: "82" + 16 hex digits of the entry's timestamp}`: opaque to clients, ordered as text.

use std::ops::Bound;
use std::sync::Arc;

use bson::{doc, Bson, Document, Timestamp};

use super::engine::{split_ns, Engine};
use super::optime::{pack_ts, unpack_ts};
use crate::error::CmdError;

/// Which namespaces a stream watches.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Collection { db: String, coll: String },
    Database(String),
    Cluster,
}

/// The open stream: where it is in the oplog and what it shows.
pub struct ChangeStream {
    pub scope: Scope,
    /// Record id (packed timestamp) of the last oplog entry looked at.
    pub after: u64,
    pub update_lookup: bool,
    /// Stages after `$changeStream`, applied to each event.
    pub stages: Vec<Document>,
    /// Token to report when the batch is empty or ends (postBatchResumeToken).
    pub resume_token: Document,
    /// A drop/rename of the watched collection (or drop of the database) was seen: the next
    /// event is `invalidate`, then the cursor ends.
    pub invalidate_at: Option<Timestamp>,
    pub ended: bool,
}

/// The resume token of the event at `ts`.
pub fn token(ts: Timestamp) -> Document {
    doc! {"_data": format!("82{:016X}", pack_ts(ts))}
}

/// The timestamp inside a resume token (BadValue for one this simulator did not make).
pub fn token_ts(tok: &Bson) -> Result<Timestamp, CmdError> {
    let bad = || CmdError::bad_value(format!("Failed to decode resume token: {tok}"));
    let Bson::Document(d) = tok else {
        return Err(bad());
    };
    let data = d.get_str("_data").map_err(|_| bad())?;
    let hex = data.strip_prefix("82").ok_or_else(bad)?;
    if hex.len() != 16 {
        return Err(bad());
    }
    let packed = u64::from_str_radix(hex, 16).map_err(|_| bad())?;
    Ok(unpack_ts(packed))
}

/// Stages mongod allows after `$changeStream`.
const ALLOWED_STAGES: &[&str] = &[
    "$match",
    "$project",
    "$addFields",
    "$set",
    "$unset",
    "$replaceRoot",
    "$replaceWith",
];

/// Parses `$changeStream` and the rest of the pipeline; `coll` None is `aggregate: 1`.
pub fn open(
    e: &Engine,
    db: &str,
    coll: Option<&str>,
    spec: &Bson,
    rest: &[Document],
) -> Result<ChangeStream, CmdError> {
    let Bson::Document(spec) = spec else {
        return Err(CmdError::new(
            50808,
            "Location50808",
            "$changeStream stage expects a document as argument",
        ));
    };
    let all = match spec.get("allChangesForCluster") {
        None => false,
        Some(Bson::Boolean(b)) => *b,
        Some(_) => {
            return Err(CmdError::type_mismatch(
                "BSON field '$changeStream.allChangesForCluster' is the wrong type, expected type 'bool'",
            ))
        }
    };
    let scope = match (coll, all) {
        (_, true) if db != "admin" || coll.is_some() => {
            return Err(CmdError::new(
                73,
                "InvalidNamespace",
                "$changeStream may only be run with allChangesForCluster on the admin database with aggregate: 1",
            ))
        }
        (_, true) => Scope::Cluster,
        (None, false) if db == "admin" || db == "config" || db == "local" => {
            return Err(CmdError::new(
                73,
                "InvalidNamespace",
                format!("$changeStream may not be opened on the internal {db} database"),
            ))
        }
        (None, false) => Scope::Database(db.to_string()),
        (Some(c), false) if internal_ns(db, c) => {
            return Err(CmdError::new(
                73,
                "InvalidNamespace",
                format!("$changeStream may not be opened on the internal {db}.{c} collection"),
            ))
        }
        (Some(c), false) => Scope::Collection {
            db: db.to_string(),
            coll: c.to_string(),
        },
    };
    let mut update_lookup = false;
    let mut start: Option<(Timestamp, bool)> = None;
    for (k, v) in spec {
        match k.as_str() {
            "allChangesForCluster" => {}
            "fullDocument" => match v.as_str() {
                Some("default") => {}
                Some("updateLookup") => update_lookup = true,
                Some(other @ ("whenAvailable" | "required")) => {
                    return Err(unsupported(format!(
                        "fullDocument: '{other}' (post-images) is not supported by the simulator"
                    )))
                }
                _ => {
                    return Err(CmdError::bad_value(format!(
                        "Enumeration value '{v}' for field '$changeStream.fullDocument' is not a valid value."
                    )))
                }
            },
            "fullDocumentBeforeChange" => {
                if v.as_str() != Some("off") {
                    return Err(unsupported(
                        "fullDocumentBeforeChange (pre-images) is not supported by the simulator",
                    ));
                }
            }
            "resumeAfter" | "startAfter" => {
                if start.is_some() {
                    return Err(CmdError::new(
                        50865,
                        "Location50865",
                        "Only one type of resume option is allowed, but multiple were found",
                    ));
                }
                start = Some((token_ts(v)?, false));
            }
            "startAtOperationTime" => {
                let Bson::Timestamp(ts) = v else {
                    return Err(CmdError::type_mismatch(
                        "BSON field '$changeStream.startAtOperationTime' is the wrong type, expected type 'timestamp'",
                    ));
                };
                if start.is_some() {
                    return Err(CmdError::new(
                        40674,
                        "Location40674",
                        "Only one type of resume option is allowed, but multiple were found.",
                    ));
                }
                start = Some((*ts, true));
            }
            "showExpandedEvents" if v == &Bson::Boolean(false) => {}
            other => {
                return Err(CmdError::new(
                    40415,
                    "Location40415",
                    format!("BSON field '$changeStream.{other}' is an unknown field."),
                ))
            }
        }
    }
    for st in rest {
        let name = st.keys().next().map(String::as_str).unwrap_or("");
        if !ALLOWED_STAGES.contains(&name) {
            return Err(CmdError::new(
                20,
                "IllegalOperation",
                format!("{name} is not permitted in a $changeStream pipeline"),
            ));
        }
    }
    let first = e
        .oplog()
        .and_then(|c| c.docs.keys().next().copied())
        .unwrap_or(0);
    let after = match start {
        None => pack_ts(e.last_applied.ts),
        Some((ts, inclusive)) => {
            let p = pack_ts(ts);
            // A resume point older than the oldest entry: history was lost.
            if p < first && !(inclusive && p + 1 >= first) {
                return Err(CmdError::new(
                    286,
                    "ChangeStreamHistoryLost",
                    "Resume of change stream was not possible, as the resume point may no longer be in the oplog.",
                ));
            }
            if inclusive {
                p.saturating_sub(1)
            } else {
                p
            }
        }
    };
    Ok(ChangeStream {
        scope,
        after,
        update_lookup,
        stages: rest.to_vec(),
        resume_token: token(unpack_ts(after)),
        invalidate_at: None,
        ended: false,
    })
}

fn unsupported(msg: impl Into<String>) -> CmdError {
    CmdError::new(20, "IllegalOperation", msg)
}

/// Namespaces change streams never show (as mongod: internal databases, system collections).
fn internal_ns(db: &str, coll: &str) -> bool {
    matches!(db, "admin" | "config" | "local") || coll.starts_with("system.")
}

impl ChangeStream {
    /// Up to `max` events (and about `budget` bytes) after the stream's position, never past
    /// `visible` (the majority commit point). Returns the events; `self.ended` tells whether the
    /// stream is over (invalidated).
    pub fn next_events(
        &mut self,
        e: &Engine,
        max: Option<u64>,
        budget: u64,
        visible: Timestamp,
    ) -> Vec<Bson> {
        let mut out = Vec::new();
        let mut bytes = 0u64;
        let full = |n: usize, b: u64| max.is_some_and(|m| n as u64 >= m) || b >= budget;
        if self.ended {
            return out;
        }
        if let Some(ts) = self.invalidate_at.take() {
            let ev = doc! {"_id": token(ts), "operationType": "invalidate", "clusterTime": ts};
            self.resume_token = token(ts);
            self.ended = true;
            out.push(Bson::Document(ev));
            return out;
        }
        let limit = pack_ts(visible);
        let Some(oplog) = e.oplog() else {
            return out;
        };
        if limit > self.after {
            let range = oplog
                .docs
                .range((Bound::Excluded(self.after), Bound::Included(limit)));
            for (rid, stored) in range {
                if full(out.len(), bytes) {
                    break;
                }
                self.after = *rid;
                let entry = stored.doc();
                let Some(ev) = self.event(e, &entry) else {
                    continue;
                };
                self.resume_token = ev.get_document("_id").cloned().unwrap_or_default();
                for ev in self.apply_stages(ev) {
                    bytes += u64::from(super::collection::bson_size(&ev));
                    out.push(Bson::Document(ev));
                }
                if self.invalidate_at.is_some() {
                    break;
                }
            }
            if !full(out.len(), bytes) && self.invalidate_at.is_none() {
                self.after = self.after.max(limit);
            }
        }
        if out.is_empty() || !full(out.len(), bytes) {
            // Nothing more to show up to here: the token moves with the oplog (high-water mark).
            if self.invalidate_at.is_none() {
                self.resume_token = token(unpack_ts(self.after));
            }
        }
        out
    }

    fn apply_stages(&self, ev: Document) -> Vec<Document> {
        let mut docs = vec![Arc::new(ev)];
        for st in &self.stages {
            docs = match super::aggregate::run_stage(st, docs) {
                Ok(d) => d,
                // A stage that cannot evaluate this event drops it rather than ending the stream.
                Err(_) => return Vec::new(),
            };
        }
        docs.into_iter().map(Arc::unwrap_or_clone).collect()
    }

    fn watches(&self, db: &str, coll: Option<&str>) -> bool {
        match &self.scope {
            Scope::Cluster => !matches!(db, "admin" | "config" | "local"),
            Scope::Database(d) => d == db,
            Scope::Collection { db: d, coll: c } => d == db && coll.is_none_or(|x| x == c),
        }
    }

    /// The event for one oplog entry, if the stream shows it.
    fn event(&mut self, e: &Engine, entry: &Document) -> Option<Document> {
        let op = entry.get_str("op").ok()?;
        let ns = entry.get_str("ns").ok()?;
        let ts = entry.get_timestamp("ts").ok()?;
        let (db, coll) = split_ns(ns)?;
        let o = entry.get_document("o").ok()?;
        let mut ev = doc! {"_id": token(ts)};
        let head = |ev: &mut Document, kind: &str| {
            ev.insert("operationType", kind);
            ev.insert("clusterTime", ts);
            if let Ok(w) = entry.get_datetime("wall") {
                ev.insert("wallTime", *w);
            }
        };
        match op {
            "i" | "u" | "d" => {
                if coll.starts_with("system.") || !self.watches(db, Some(coll)) {
                    return None;
                }
                let id = match op {
                    "u" => entry.get_document("o2").ok()?.get("_id")?.clone(),
                    _ => o.get("_id")?.clone(),
                };
                let diff = entry
                    .get_document("o2")
                    .ok()
                    .and_then(|o2| o2.get_document(super::change_diff::DIFF_FIELD).ok());
                let kind = match (op, diff) {
                    ("i", _) => "insert",
                    ("d", _) => "delete",
                    (_, Some(_)) => "update",
                    (_, None) => "replace",
                };
                head(&mut ev, kind);
                match kind {
                    "insert" | "replace" => {
                        ev.insert("fullDocument", o.clone());
                    }
                    "update" if self.update_lookup => {
                        let current = e
                            .coll(db, coll)
                            .and_then(|c| c.find_id(&id).and_then(|r| c.get(r)));
                        ev.insert(
                            "fullDocument",
                            current.map_or(Bson::Null, |d| Bson::Document((*d).clone())),
                        );
                    }
                    _ => {}
                }
                ev.insert("ns", doc! {"db": db, "coll": coll});
                ev.insert("documentKey", doc! {"_id": id});
                if let Some(d) = diff {
                    ev.insert("updateDescription", d.clone());
                }
                Some(ev)
            }
            "c" => self.command_event(ev, db, o, ts, head),
            _ => None,
        }
    }

    fn command_event(
        &mut self,
        mut ev: Document,
        db: &str,
        o: &Document,
        ts: Timestamp,
        head: impl Fn(&mut Document, &str),
    ) -> Option<Document> {
        if let Ok(coll) = o.get_str("drop") {
            if coll.starts_with("system.") || !self.watches(db, Some(coll)) {
                return None;
            }
            head(&mut ev, "drop");
            ev.insert("ns", doc! {"db": db, "coll": coll});
            if matches!(self.scope, Scope::Collection { .. }) {
                self.invalidate_at = Some(ts);
            }
            return Some(ev);
        }
        if o.contains_key("dropDatabase") {
            if !self.watches(db, None) {
                return None;
            }
            head(&mut ev, "dropDatabase");
            ev.insert("ns", doc! {"db": db});
            if matches!(self.scope, Scope::Database(_)) {
                self.invalidate_at = Some(ts);
            }
            return Some(ev);
        }
        if let Ok(from) = o.get_str("renameCollection") {
            let (fdb, fcoll) = split_ns(from)?;
            if !self.watches(fdb, Some(fcoll)) {
                return None;
            }
            let to = o.get_str("to").ok().and_then(split_ns)?;
            head(&mut ev, "rename");
            ev.insert("ns", doc! {"db": fdb, "coll": fcoll});
            ev.insert("to", doc! {"db": to.0, "coll": to.1});
            if matches!(self.scope, Scope::Collection { .. }) {
                self.invalidate_at = Some(ts);
            }
            return Some(ev);
        }
        None
    }
}
