//! find, getMore, killCursors, count, distinct.

use std::sync::Arc;

use bson::{doc, Bson, Document};

use super::commands::{bool_arg, coll_arg, count_arg, doc_arg, ok};
use super::compare::Key;
use super::cursor::{Cursor, Source};
use super::engine::Engine;
use super::find_shape::Shape;
use super::index_cursor::IndexScan;
use super::matcher::Filter;
use super::planner::{self, Plan};
use super::projection::Projection;
use super::sort::{sort_pairs, Sort};
use super::CmdOutcome;
use crate::error::CmdError;

const DEFAULT_FIRST_BATCH: u64 = 101;

/// All documents of `db.coll` matching `filter`, in the order the chosen plan yields them
/// (index order with an index, natural order otherwise), following a `hint` (an unknown index
/// is an error, as on mongod).
pub fn matching_hinted(
    e: &Engine,
    db: &str,
    coll: &str,
    filter: &Filter,
    filter_doc: &Document,
    hint: Option<&Bson>,
) -> Result<Vec<(u64, Arc<Document>)>, CmdError> {
    let Some(c) = e.coll(db, coll) else {
        return Ok(Vec::new());
    };
    let (plan, _) = planner::plan(c, filter, filter_doc, hint, &format!("{db}.{coll}"))?;
    Ok(planner::execute(c, &plan, filter).docs)
}

/// Starts a cursor: builds the first batch and registers the rest (unless `single_batch`).
pub fn open_cursor(
    e: &mut Engine,
    mut cur: Cursor,
    batch: Option<u64>,
    single_batch: bool,
) -> CmdOutcome {
    let (first, done) = e.next_batch(&mut cur, Some(batch.unwrap_or(DEFAULT_FIRST_BATCH)));
    let ns = cur.ns.clone();
    let token = cur.post_batch_token();
    // A tailable cursor on a collection that was empty has no position to resume from: mongod
    // closes it, and so do we.
    let nowhere = cur.tail.is_some() && matches!(cur.source, Source::Scan { last: None, .. });
    let id = if done || single_batch || nowhere {
        0
    } else {
        e.register_cursor(cur)
    };
    let mut c = doc! {"firstBatch": first};
    if let Some(t) = token {
        c.insert("postBatchResumeToken", t);
    }
    c.insert("id", id);
    c.insert("ns", ns);
    ok(doc! {"cursor": c}, None)
}

pub fn find(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "find", db)?;
    let filter_doc = doc_arg(cmd, "FindCommandRequest", "filter")?.unwrap_or_default();
    let filter = Filter::parse(&filter_doc)?;
    let projection = match doc_arg(cmd, "FindCommandRequest", "projection")? {
        Some(p) => Projection::parse_find(&p)?,
        None => None,
    };
    let sort = match doc_arg(cmd, "FindCommandRequest", "sort")? {
        Some(s) => Sort::parse(&s)?,
        None => None,
    };
    let skip = count_arg(cmd, "FindCommandRequest", "skip")?.unwrap_or(0) as u64;
    let limit = count_arg(cmd, "FindCommandRequest", "limit")?
        .filter(|l| *l > 0)
        .map(|l| l as u64);
    let batch = count_arg(cmd, "FindCommandRequest", "batchSize")?.map(|b| b as u64);
    let single = bool_arg(cmd, "singleBatch");
    let ns = format!("{db}.{coll}");
    let tail = super::tailable::find_options(e, db, &coll, cmd, sort.as_ref())?;
    let min = doc_arg(cmd, "FindCommandRequest", "min")?.filter(|d| !d.is_empty());
    let max = doc_arg(cmd, "FindCommandRequest", "max")?.filter(|d| !d.is_empty());
    if min.is_some() || max.is_some() {
        // Bounds on the hinted index: computed up front, then sorted, skipped and limited.
        let (pairs, shape) = match e.coll(db, &coll) {
            Some(c) => {
                let pairs = super::min_max::bounded(
                    c,
                    (&filter, &filter_doc),
                    cmd.get("hint"),
                    min.as_ref(),
                    max.as_ref(),
                    &ns,
                )?;
                let plan = planner::plan(c, &filter, &filter_doc, cmd.get("hint"), &ns)?.0;
                (pairs, Shape::from_find(cmd, Some(c), &plan)?)
            }
            None => (Vec::new(), None),
        };
        let keys = match &sort {
            Some(Sort::Keys(keys)) => Some(keys.as_slice()),
            _ => None,
        };
        let window = (skip, limit);
        let (docs, projection) = computed(pairs, keys, window, shape.as_ref(), projection);
        let mut cur = Cursor::new(ns, Source::Docs(docs.into()), projection, limit);
        cur.max_time = super::tailable::has_max_time(cmd);
        return Ok(open_cursor(e, cur, batch, single));
    }
    let (plan, sorted) = match (e.coll(db, &coll), &sort) {
        (Some(c), Some(Sort::Keys(keys))) => {
            let p = planner::plan(c, &filter, &filter_doc, cmd.get("hint"), &ns)?.0;
            planner::order(c, p, keys, cmd.get("hint").is_some())
        }
        (Some(c), _) => (
            planner::plan(c, &filter, &filter_doc, cmd.get("hint"), &ns)?.0,
            false,
        ),
        (None, _) => (Plan::Collscan { forward: true }, false),
    };
    let shape = Shape::from_find(cmd, e.coll(db, &coll), &plan)?;
    let mut projection = projection;
    // A natural-order scan streams batch by batch; other plans compute their results up front.
    let scan = match (&sort, &plan) {
        _ if tail.is_some() => Some(true),
        (None | Some(Sort::Natural(true)), Plan::Collscan { forward }) => Some(*forward),
        (Some(Sort::Natural(forward)), _) => Some(*forward),
        _ => None,
    };
    let streamed = matches!(plan, Plan::Ixscan { .. }) && (sorted || sort.is_none());
    let source = match (scan, e.coll(db, &coll), plan) {
        (None, Some(c), Plan::Ixscan { target, bounds }) if streamed => Source::Index(Box::new(
            IndexScan::new(db.to_string(), coll, c, target, bounds, filter, skip),
        )),
        (Some(forward), _, _) => Source::Scan {
            db: db.to_string(),
            coll,
            last: None,
            forward,
            filter,
            skip,
        },
        (None, _, plan) => {
            // Without a sort still to do, only the first skip + limit matches are needed.
            let max = limit.filter(|_| sorted || sort.is_none()).map(|l| skip + l);
            let mut found = match e.coll(db, &coll) {
                Some(c) => planner::execute_limited(c, &plan, &filter, max).docs,
                None => Vec::new(),
            };
            if !sorted && sort.is_some() {
                // A blocking sort breaks ties in natural order, whatever the plan.
                found.sort_by_key(|(rid, _)| *rid);
            }
            let keys = match (&sort, sorted) {
                (Some(Sort::Keys(keys)), false) => Some(keys.as_slice()),
                _ => None,
            };
            let (docs, p) = computed(
                found,
                keys,
                (skip, limit),
                shape.as_ref(),
                projection.take(),
            );
            projection = p;
            Source::Docs(docs.into())
        }
    };
    let mut cur = Cursor::new(ns, source, projection, limit);
    if !matches!(cur.source, Source::Docs(_)) {
        cur.shape = shape;
    }
    cur.tail = tail;
    cur.max_time = super::tailable::has_max_time(cmd);
    Ok(open_cursor(e, cur, batch, single))
}

/// Results computed up front: sorted by `keys` (when a sort is still to do), then the
/// `(skip, limit)` window; under returnKey/showRecordId they are shaped here, while their
/// record ids are known, and the projection (returned for the cursor otherwise) is spent.
fn computed(
    mut pairs: Vec<(u64, Arc<Document>)>,
    keys: Option<&[(String, bool)]>,
    (skip, limit): (u64, Option<u64>),
    shape: Option<&Shape>,
    projection: Option<Projection>,
) -> (Vec<Arc<Document>>, Option<Projection>) {
    if let Some(keys) = keys {
        sort_pairs(&mut pairs, keys);
    }
    let end = limit.map_or(pairs.len(), |l| (skip + l).min(pairs.len() as u64) as usize);
    let start = (skip as usize).min(end);
    let window = pairs.drain(start..end);
    match shape {
        None => (window.map(|(_, d)| d).collect(), projection),
        Some(s) => {
            let docs = window
                .map(|(rid, d)| {
                    let projected = match (&projection, s.projects()) {
                        (Some(p), true) => p.apply(&d),
                        _ => (*d).clone(),
                    };
                    Arc::new(s.apply(&d, projected, Some(rid)))
                })
                .collect();
            (docs, None)
        }
    }
}

pub fn get_more(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let id = match cmd.get("getMore") {
        Some(Bson::Int64(i)) => *i,
        Some(Bson::Int32(i)) => i64::from(*i),
        Some(other) => {
            return Err(CmdError::type_mismatch(format!(
                "BSON field 'getMore.getMore' is the wrong type '{}', expected type 'long'",
                super::docpath::bson_type_name(other)
            )))
        }
        None => {
            return Err(CmdError::type_mismatch(
                "BSON field 'getMore.getMore' is missing",
            ))
        }
    };
    let coll = match cmd.get("collection") {
        Some(Bson::String(s)) => s.clone(),
        _ => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                "BSON field 'getMore.collection' is missing but a required field",
            ))
        }
    };
    let batch = count_arg(cmd, "GetMoreCommandRequest", "batchSize")?
        .filter(|b| *b > 0)
        .map(|b| b as u64);
    let ns = format!("{db}.{coll}");
    let live = e
        .cursors
        .get(&id)
        .is_some_and(|c| c.used.elapsed() < super::cursor::CURSOR_IDLE);
    let Some(mut cur) = e.cursors.remove(&id).filter(|_| live) else {
        return Err(CmdError::new(
            43,
            "CursorNotFound",
            format!("cursor id {id} not found"),
        ));
    };
    if cur.ns != ns {
        let msg = format!(
            "Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {}",
            cur.ns
        );
        e.cursors.insert(id, cur);
        return Err(CmdError::new(13, "Unauthorized", msg));
    }
    if let Err(err) = super::tailable::check_get_more(e, &cur, cmd) {
        if err.code == 136 {
            // The position is gone for good: the cursor dies, as on mongod.
            return Err(err);
        }
        e.cursors.insert(id, cur);
        return Err(err);
    }
    let (next, done) = e.next_batch(&mut cur, batch);
    let out_id = if done { 0 } else { id };
    let mut c = doc! {"nextBatch": next};
    if let Some(t) = cur.post_batch_token() {
        c.insert("postBatchResumeToken", t);
    }
    c.insert("id", out_id);
    c.insert("ns", ns);
    if !done {
        cur.used = std::time::Instant::now();
        e.cursors.insert(id, cur);
    }
    Ok(ok(doc! {"cursor": c}, None))
}

pub fn kill_cursors(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let _ = coll_arg(cmd, "killCursors", db)?;
    let ids = match cmd.get("cursors") {
        Some(Bson::Array(a)) => a.clone(),
        _ => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                "BSON field 'killCursors.cursors' is missing but a required field",
            ))
        }
    };
    let (mut killed, mut not_found) = (Vec::new(), Vec::new());
    for v in ids {
        let id = match v {
            Bson::Int64(i) => i,
            Bson::Int32(i) => i64::from(i),
            _ => continue,
        };
        if e.cursors.remove(&id).is_some() {
            killed.push(id);
        } else {
            not_found.push(id);
        }
    }
    let empty: Vec<i64> = Vec::new();
    Ok(ok(
        doc! {"cursorsKilled": killed, "cursorsNotFound": not_found, "cursorsAlive": empty.clone(), "cursorsUnknown": empty},
        None,
    ))
}

pub fn count(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "count", db)?;
    let query = doc_arg(cmd, "count", "query")?.unwrap_or_default();
    let skip = count_arg(cmd, "count", "skip")?.unwrap_or(0);
    let limit = match cmd.get("limit").and_then(super::compare::to_f64) {
        Some(l) if l != 0.0 => Some(l.abs() as i64),
        _ => None,
    };
    let hint = cmd.get("hint");
    let total = if query.is_empty() && hint.is_none() {
        e.coll(db, &coll).map_or(0, |c| c.count() as i64)
    } else {
        let f = Filter::parse(&query)?;
        matching_hinted(e, db, &coll, &f, &query, hint)?.len() as i64
    };
    let mut n = (total - skip).max(0);
    if let Some(l) = limit {
        n = n.min(l);
    }
    let n = Bson::Int32(i32::try_from(n).unwrap_or(i32::MAX));
    Ok(ok(doc! {"n": n}, None))
}

pub fn distinct(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "distinct", db)?;
    let key = match cmd.get("key") {
        Some(Bson::String(k)) => k.clone(),
        _ => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                "BSON field 'distinct.key' is missing but a required field",
            ))
        }
    };
    let query = doc_arg(cmd, "distinct", "query")?.unwrap_or_default();
    let f = Filter::parse(&query)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut values = Vec::new();
    for (_, d) in matching_hinted(e, db, &coll, &f, &query, cmd.get("hint"))? {
        let (vals, _) = super::path::lookup_all(&d, &key);
        for v in vals {
            let items: Vec<&Bson> = match v {
                Bson::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for it in items {
                if seen.insert(Key(it.clone())) {
                    values.push(it.clone());
                }
            }
        }
    }
    values.sort_by(super::compare::cmp_bson);
    Ok(ok(doc! {"values": values}, None))
}
