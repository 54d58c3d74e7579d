//! Rollback as mongod does it (refetch): the writes after the common point with the sync source
//! are undone one document at a time: each document they touched is first saved, as this member
//! held it, to `<dbpath>/rollback/<db>.<coll>/removed.<time>.bson`, then replaced by the sync
//! source's current version (or removed when the source has none); the oplog is cut back to the
//! common point and normal replication re-applies the source's entries from there.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use bson::{doc, Bson, Document};

use super::engine::{split_ns, Engine};
use super::optime::{pack_ts, OpTime};
use super::Store;

/// One document the diverged writes touched.
#[derive(Debug, Clone, PartialEq)]
pub struct Touched {
    pub ns: String,
    pub id: Bson,
}

/// What a rollback did, per namespace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollbackSummary {
    pub entries: u64,
    /// Documents saved to rollback files, per namespace.
    pub saved: BTreeMap<String, u64>,
    pub files: Vec<String>,
}

impl Store {
    /// Optimes of our newest `limit` oplog entries, newest first (the common-point search).
    pub fn recent_optimes(&self, limit: usize) -> Vec<OpTime> {
        let e = self.lock();
        e.oplog().map_or_else(Vec::new, |c| {
            c.docs
                .values()
                .rev()
                .take(limit)
                .filter_map(|s| OpTime::from_document(&s.doc()))
                .collect()
        })
    }

    /// The documents our entries after `common` touched; `Err` when one of them is a command
    /// (create, drop, index changes), which only a full resync undoes.
    pub fn diverged_documents(&self, common: OpTime) -> Result<(u64, Vec<Touched>), String> {
        touched_after(&self.lock(), common, true)
    }

    /// Before a full resync replaces everything: saves to rollback files every document our
    /// entries after `common` wrote and we still hold (mongod keeps what it rolls back in
    /// `<dbpath>/rollback/` whatever else the diverged history did, drops and creates included).
    pub fn save_diverged(&self, common: OpTime) -> Result<RollbackSummary, String> {
        let e = self.lock();
        let (entries, touched) = touched_after(&e, common, false)?;
        let mut summary = RollbackSummary {
            entries,
            ..RollbackSummary::default()
        };
        let saved = held(&e, touched.iter());
        if let Some(dir) = e.dbpath.clone() {
            summary.files = write_files(&dir, &saved)?;
        }
        for (ns, docs) in &saved {
            summary.saved.insert(ns.clone(), docs.len() as u64);
        }
        Ok(summary)
    }

    /// Undoes the entries after `common`: saves every touched document we hold, puts in the
    /// source's version (`refetched`: ns, _id, document or None), cuts the oplog back and writes
    /// a fresh snapshot (the journal cannot express a truncated oplog).
    pub fn roll_back_to(
        &self,
        common: OpTime,
        refetched: Vec<(Touched, Option<Document>)>,
    ) -> Result<RollbackSummary, String> {
        let mut e = self.lock();
        let mut summary = RollbackSummary::default();
        let saved = held(&e, refetched.iter().map(|(t, _)| t));
        if let Some(dir) = e.dbpath.clone() {
            summary.files = write_files(&dir, &saved)?;
        }
        for (ns, docs) in &saved {
            summary.saved.insert(ns.clone(), docs.len() as u64);
        }
        for (t, theirs) in refetched {
            let Some((db, coll)) = split_ns(&t.ns) else {
                continue;
            };
            if e.coll(db, coll).is_none() {
                if theirs.is_none() {
                    continue;
                }
                e.ensure_collection_inner(db, coll, None, Document::new());
            }
            let Some(c) = e.coll_mut(db, coll) else {
                continue;
            };
            match (c.find_id(&t.id), theirs) {
                (Some(rid), Some(d)) => c.replace(rid, d),
                (Some(rid), None) => {
                    c.remove(rid);
                }
                (None, Some(d)) => {
                    c.insert(d);
                }
                (None, None) => {}
            }
        }
        summary.entries = e.truncate_oplog_after(common);
        if let Some(mut j) = e.journal.take() {
            j.compact(&e);
            let failed = j.failure().map(str::to_string);
            e.journal = Some(j);
            if let Some(f) = failed {
                return Err(f);
            }
        }
        drop(e);
        self.publish();
        Ok(summary)
    }
}

/// The documents our oplog entries after `common` touched, and how many entries there are.
/// `stop_at_commands`: a command entry (create, drop, index changes) is an error, as only a full
/// resync undoes it; otherwise commands are passed over.
fn touched_after(
    e: &Engine,
    common: OpTime,
    stop_at_commands: bool,
) -> Result<(u64, Vec<Touched>), String> {
    let mut out: Vec<Touched> = Vec::new();
    let mut seen: std::collections::HashSet<(String, Vec<u8>)> = Default::default();
    let mut n = 0u64;
    let Some(oplog) = e.oplog() else {
        return Ok((0, out));
    };
    for (_, s) in oplog.docs.range(pack_ts(common.ts) + 1..) {
        let entry = s.doc();
        n += 1;
        let op = entry.get_str("op").unwrap_or_default();
        let ns = entry.get_str("ns").unwrap_or_default().to_string();
        let id = match op {
            "i" | "d" => entry.get_document("o").ok().and_then(|o| o.get("_id")),
            "u" => entry.get_document("o2").ok().and_then(|o| o.get("_id")),
            "n" => continue,
            other if stop_at_commands => return Err(format!("a diverged '{other}' entry on {ns}")),
            _ => continue,
        };
        let id = id
            .cloned()
            .ok_or_else(|| format!("a diverged entry on {ns} without _id"))?;
        // Large rollbacks (a 100,000-document insert) need a set, not a list scan, for repeats.
        let key = bson::to_vec(&doc! {"k": &id}).unwrap_or_default();
        if seen.insert((ns.clone(), key)) {
            out.push(Touched { ns, id });
        }
    }
    Ok((n, out))
}

/// The current version of each touched document we hold, per namespace.
fn held<'a>(
    e: &Engine,
    touched: impl Iterator<Item = &'a Touched>,
) -> BTreeMap<String, Vec<Document>> {
    let mut saved: BTreeMap<String, Vec<Document>> = BTreeMap::new();
    for t in touched {
        let Some((db, coll)) = split_ns(&t.ns) else {
            continue;
        };
        if let Some(c) = e.coll(db, coll) {
            if let Some(d) = c.find_id(&t.id).and_then(|rid| c.get(rid)) {
                saved.entry(t.ns.clone()).or_default().push((*d).clone());
            }
        }
    }
    saved
}

impl Engine {
    /// Removes oplog entries after `common` and makes it the last applied optime.
    fn truncate_oplog_after(&mut self, common: OpTime) -> u64 {
        let cut = pack_ts(common.ts);
        let mut removed = 0;
        let mut wall = None;
        if let Some(c) = self.oplog_mut_for_rollback() {
            let later: Vec<u64> = c.docs.range(cut + 1..).map(|(k, _)| *k).collect();
            for k in later {
                c.remove(k);
                removed += 1;
            }
            wall = c
                .get(cut)
                .and_then(|d| d.get_datetime("wall").ok().copied());
        }
        self.last_ts = common.ts;
        self.last_applied = common;
        if let Some(w) = wall {
            self.last_wall = w;
        }
        self.cursors.clear();
        removed
    }

    fn oplog_mut_for_rollback(&mut self) -> Option<&mut super::collection::Collection> {
        self.dbs
            .get_mut("local")
            .and_then(|d| d.get_mut("oplog.rs"))
    }
}

/// Writes one BSON file per namespace; returns their paths.
fn write_files(dir: &Path, saved: &BTreeMap<String, Vec<Document>>) -> Result<Vec<String>, String> {
    // mongod's file names: removed.2024-01-31T12-34-56.0.bson
    let now = bson::DateTime::now()
        .try_to_rfc3339_string()
        .unwrap_or_default();
    let stamp: String = now
        .chars()
        .take(19)
        .map(|c| if c == ':' { '-' } else { c })
        .collect();
    let mut paths = Vec::new();
    for (ns, docs) in saved {
        let folder = dir.join("rollback").join(ns);
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let path = folder.join(format!("removed.{stamp}.0.bson"));
        let mut bytes = Vec::new();
        for d in docs {
            d.to_writer(&mut bytes)
                .map_err(|e| format!("cannot encode a rolled-back document: {e}"))?;
        }
        let mut f = std::fs::File::create(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        f.write_all(&bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        paths.push(path.display().to_string());
    }
    Ok(paths)
}

/// The log line's per-namespace counts.
pub fn counts_doc(summary: &RollbackSummary) -> Document {
    let mut d = Document::new();
    for (ns, n) in &summary.saved {
        d.insert(ns.clone(), *n as i64);
    }
    doc! {"documentsSavedByNamespace": d}
}
