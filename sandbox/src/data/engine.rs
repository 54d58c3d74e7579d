//! The state behind `Store`: the catalog, the oplog clock and term, cursors and the journal.
//! Every change goes through `commit`, which applies an oplog-shaped entry, appends it to
//! `local.oplog.rs` (non-local namespaces) and journals it: one code path for primaries,
//! secondaries applying pulled entries, and replay after a restart.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bson::{doc, Bson, Document, Timestamp};

use super::collection::Collection;
use super::cursor::Cursor;
use super::journal::Journal;
use super::optime::{next_ts, pack_ts, OpTime};
use super::{CmdKind, CmdOutcome, OplogStats};
use crate::error::CmdError;

const DEFAULT_OPLOG_BYTES: u64 = 990 * 1024 * 1024;

pub type Db = BTreeMap<String, Collection>;

pub struct Engine {
    pub dbs: BTreeMap<String, Db>,
    pub term: i64,
    pub last_ts: Timestamp,
    pub last_applied: OpTime,
    pub last_wall: bson::DateTime,
    pub oplog_max: u64,
    pub cursors: HashMap<i64, Cursor>,
    pub journal: Option<Journal>,
    /// Executed retryable-write statements per session.
    pub sessions: super::sessions::Sessions,
    /// The retryable statement being executed (its entries carry lsid/txnNumber/stmtId).
    pub stmt: Option<(super::sessions::TxnCtx, i32)>,
    /// The dbpath (for dbStats' filesystem figures).
    pub dbpath: Option<std::path::PathBuf>,
    /// This member's host and port as explain's `serverInfo` reports them (set by the node).
    pub server_addr: Option<(String, i32)>,
    /// The majority commit point as the node last reported it: change streams show nothing
    /// newer (None: everything applied is visible).
    pub visible_ts: Option<Timestamp>,
    /// The running command asked for `bypassDocumentValidation`.
    pub bypass_validation: bool,
    /// An insert applied in parts: the statements (start, count) this part writes.
    pub insert_window: Option<(usize, usize)>,
}

/// Splits `db.coll` at the first dot.
pub fn split_ns(ns: &str) -> Option<(&str, &str)> {
    ns.split_once('.')
}

pub fn command_kind(name: &str) -> Option<CmdKind> {
    match name {
        "find" | "count" | "distinct" | "aggregate" | "listCollections" | "listIndexes"
        | "listDatabases" | "collStats" | "dbStats" | "dbstats" | "explain" | "dbHash"
        | "dbhash" | "validate" | "compact" => Some(CmdKind::Read),
        "insert" | "update" | "delete" | "findAndModify" | "findandmodify" | "create" | "drop"
        | "dropDatabase" | "createIndexes" | "dropIndexes" | "deleteIndexes"
        | "renameCollection" | "collMod" => Some(CmdKind::Write),
        "getMore" | "killCursors" => Some(CmdKind::Cursor),
        _ => None,
    }
}

impl Engine {
    /// `(host, port)` for explain's `serverInfo`: what the node set, else this machine's name
    /// and the default port.
    pub fn server_address(&self) -> (String, i32) {
        self.server_addr.clone().unwrap_or_else(|| {
            let mut buf = [0u8; 256];
            // SAFETY: the buffer outlives the call and its length is passed.
            let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
            let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
            let host = if rc == 0 {
                String::from_utf8_lossy(&buf[..end]).into_owned()
            } else {
                "localhost".to_string()
            };
            (host, 27017)
        })
    }

    pub fn empty() -> Engine {
        let mut e = Engine {
            dbs: BTreeMap::new(),
            term: -1,
            last_ts: Timestamp {
                time: 0,
                increment: 0,
            },
            last_applied: OpTime::null(),
            last_wall: bson::DateTime::from_millis(0),
            oplog_max: DEFAULT_OPLOG_BYTES,
            cursors: HashMap::new(),
            journal: None,
            sessions: Default::default(),
            stmt: None,
            dbpath: None,
            server_addr: None,
            visible_ts: None,
            bypass_validation: false,
            insert_window: None,
        };
        e.ensure_oplog();
        e
    }

    pub fn open(dbpath: Option<&Path>) -> Result<Engine, String> {
        let mut e = Engine::empty();
        if let Some(p) = dbpath {
            let journal = Journal::open(p, &mut e)?;
            e.journal = Some(journal);
            e.dbpath = Some(p.to_path_buf());
        }
        Ok(e)
    }

    pub fn set_oplog_size_mb(&mut self, mb: f64) {
        let bytes = (mb.max(0.0) * 1024.0 * 1024.0) as u64;
        self.oplog_max = bytes.max(1024 * 1024);
        let max = self.oplog_max;
        if let Some(c) = self.oplog_mut() {
            c.capped_max = Some(max);
            c.options.insert("size", max as i64);
        }
    }

    pub fn ensure_oplog(&mut self) {
        let max = self.oplog_max;
        let local = self.dbs.entry("local".to_string()).or_default();
        local.entry("oplog.rs".to_string()).or_insert_with(|| {
            Collection::new(
                bson::Uuid::new(),
                doc! {"capped": true, "size": max as i64, "autoIndexId": false},
                false,
            )
        });
    }

    pub fn oplog(&self) -> Option<&Collection> {
        self.dbs.get("local").and_then(|d| d.get("oplog.rs"))
    }

    fn oplog_mut(&mut self) -> Option<&mut Collection> {
        self.dbs
            .get_mut("local")
            .and_then(|d| d.get_mut("oplog.rs"))
    }

    pub fn coll(&self, db: &str, coll: &str) -> Option<&Collection> {
        self.dbs.get(db).and_then(|d| d.get(coll))
    }

    pub fn coll_mut(&mut self, db: &str, coll: &str) -> Option<&mut Collection> {
        self.dbs.get_mut(db).and_then(|d| d.get_mut(coll))
    }

    pub fn run(&mut self, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
        let Some(name) = cmd.keys().next().cloned() else {
            return Err(CmdError::new(59, "CommandNotFound", "no such command: ''"));
        };
        self.bypass_validation = cmd
            .get("bypassDocumentValidation")
            .is_some_and(super::matcher::truthy);
        let out = super::commands::dispatch(self, db, &name, cmd);
        self.bypass_validation = false;
        out
    }

    pub fn set_term(&mut self, term: i64) {
        if term != self.term {
            self.term = term;
            self.journal_record(doc! {"k": "t", "t": term});
        }
    }

    pub fn term(&self) -> i64 {
        self.term
    }

    pub fn append_noop(&mut self, msg: Document) -> OpTime {
        // A no-op cannot fail to apply.
        match self.commit("n", String::new(), None, msg, None) {
            Ok(Some(op)) => op,
            _ => self.last_applied,
        }
    }

    pub fn last_applied(&self) -> OpTime {
        self.last_applied
    }

    pub fn last_applied_wall(&self) -> bson::DateTime {
        self.last_wall
    }

    pub fn oplog_after(&self, ts: Timestamp, limit: usize, max_bytes: u64) -> Vec<Document> {
        let Some(c) = self.oplog() else {
            return Vec::new();
        };
        let start = pack_ts(ts).saturating_add(1);
        let mut out = Vec::new();
        let mut bytes = 0u64;
        for (_, s) in c.docs.range(start..).take(limit) {
            // At least one entry, however large, so a 16 MB document still moves.
            if !out.is_empty() && bytes + u64::from(s.size) > max_bytes {
                break;
            }
            bytes += u64::from(s.size);
            out.push((*s.doc()).clone());
        }
        out
    }

    pub fn oplog_contains(&self, ts: Timestamp) -> bool {
        self.oplog()
            .is_some_and(|c| c.docs.contains_key(&pack_ts(ts)))
    }

    pub fn first_optime(&self) -> Option<OpTime> {
        let c = self.oplog()?;
        let (_, s) = c.docs.iter().next()?;
        OpTime::from_document(&s.doc())
    }

    pub fn oplog_stats(&self) -> OplogStats {
        let (size, count, first, last) = match self.oplog() {
            Some(c) => (
                c.data_size as i64,
                c.count() as i64,
                c.docs
                    .values()
                    .next()
                    .and_then(|s| OpTime::from_document(&s.doc())),
                c.docs
                    .values()
                    .next_back()
                    .and_then(|s| OpTime::from_document(&s.doc())),
            ),
            None => (0, 0, None, None),
        };
        OplogStats {
            max_size: self.oplog_max as i64,
            size,
            count,
            first,
            last,
        }
    }

    /// Applies entries from a sync source; entries not newer than our last one are skipped.
    pub fn apply_oplog(&mut self, entries: &[Document]) -> Result<(), String> {
        for e in entries {
            let ts = e
                .get_timestamp("ts")
                .map_err(|_| "oplog entry without a ts".to_string())?;
            if pack_ts(ts) <= pack_ts(self.last_ts) {
                continue;
            }
            self.apply_entry(e, true)?;
            self.journal_record(doc! {"k": "o", "e": e.clone()});
        }
        Ok(())
    }

    pub fn put_local(&mut self, coll: &str, d: Document) {
        self.put_local_inner(coll, d.clone());
        self.journal_record(doc! {"k": "l", "c": coll, "d": d});
    }

    pub fn put_local_inner(&mut self, coll: &str, d: Document) {
        let c = self.ensure_collection_inner("local", coll, None, Document::new());
        c.clear();
        c.insert(d);
    }

    pub fn get_local(&self, coll: &str) -> Option<Document> {
        let c = self.coll("local", coll)?;
        c.docs.values().next().map(|s| (*s.doc()).clone())
    }

    pub fn kill_all_cursors(&mut self) {
        self.cursors.clear();
    }

    /// Creates `db.coll` in memory if missing (no oplog entry), returning it.
    pub fn ensure_collection_inner(
        &mut self,
        db: &str,
        coll: &str,
        ui: Option<bson::Uuid>,
        options: Document,
    ) -> &mut Collection {
        let with_id = !(db == "local" && coll == "oplog.rs");
        self.dbs
            .entry(db.to_string())
            .or_default()
            .entry(coll.to_string())
            .or_insert_with(|| Collection::new(ui.unwrap_or_default(), options, with_id))
    }

    /// Creates `db.coll` if missing, logging a `create` entry; returns the optime when it wrote.
    pub fn ensure_collection(&mut self, db: &str, coll: &str) -> Result<Option<OpTime>, CmdError> {
        if self.coll(db, coll).is_some() {
            return Ok(None);
        }
        let ui = bson::Uuid::new();
        self.commit(
            "c",
            format!("{db}.$cmd"),
            Some(ui),
            doc! {"create": coll, "idIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_"}},
            None,
        )
        .map_err(|e| CmdError::new(1, "InternalError", e))
    }

    /// The single write path: applies the entry, logs it to the oplog (non-local namespaces)
    /// and journals it. Returns the entry's optime when it went to the oplog.
    pub fn commit(
        &mut self,
        op: &str,
        ns: String,
        ui: Option<bson::Uuid>,
        o: Document,
        o2: Option<Document>,
    ) -> Result<Option<OpTime>, String> {
        let local = ns.starts_with("local.");
        let retry = match &self.stmt {
            Some((ctx, stmt)) if !local && matches!(op, "i" | "u" | "d") => {
                Some((ctx.clone(), *stmt))
            }
            _ => None,
        };
        let mut e = Document::new();
        if let Some((ctx, _)) = &retry {
            e.insert("lsid", ctx.lsid.clone());
            e.insert("txnNumber", ctx.txn);
        }
        e.insert("op", op);
        e.insert("ns", ns);
        if let Some(u) = ui {
            e.insert("ui", u);
        }
        e.insert("o", o);
        if let Some(o2) = o2 {
            e.insert("o2", o2);
        }
        if let Some((_, stmt)) = retry {
            e.insert("stmtId", stmt);
        }
        if local {
            self.apply_entry(&e, false)?;
            self.journal_record(doc! {"k": "x", "e": e});
            return Ok(None);
        }
        let ts = next_ts(self.last_ts);
        let wall = bson::DateTime::now();
        e.insert("ts", ts);
        e.insert("t", self.term);
        e.insert("v", 2i64);
        e.insert("wall", wall);
        self.apply_entry(&e, true)?;
        self.journal_record(doc! {"k": "o", "e": e});
        Ok(Some(self.last_applied))
    }

    /// Applies one entry (idempotently) and, when `to_oplog`, appends it to the oplog.
    pub fn apply_entry(&mut self, e: &Document, to_oplog: bool) -> Result<(), String> {
        let op = e
            .get_str("op")
            .map_err(|_| "oplog entry without op".to_string())?;
        let ns = e.get_str("ns").unwrap_or_default();
        let ui = match e.get("ui") {
            Some(Bson::Binary(b)) => {
                bson::Uuid::from_bytes(<[u8; 16]>::try_from(b.bytes.as_slice()).unwrap_or([0; 16]))
                    .into()
            }
            _ => None,
        };
        let o = e
            .get_document("o")
            .map_err(|_| format!("oplog entry without o: {e}"))?;
        match op {
            "i" | "u" | "d" => {
                let (db, coll) =
                    split_ns(ns).ok_or_else(|| format!("bad ns in oplog entry: {ns}"))?;
                let c = self.ensure_collection_inner(db, coll, ui, Document::new());
                let id = if op == "u" {
                    e.get_document("o2")
                        .ok()
                        .and_then(|d| d.get("_id"))
                        .cloned()
                } else {
                    o.get("_id").cloned()
                };
                let rid = id.as_ref().and_then(|id| c.find_id(id));
                match (op, rid) {
                    ("d", Some(r)) => {
                        c.remove(r);
                    }
                    ("d", None) => {}
                    (_, Some(r)) => c.replace(r, o.clone()),
                    (_, None) => {
                        c.insert(o.clone());
                    }
                }
            }
            "c" => self.apply_command(ns, ui, o)?,
            "n" => {}
            other => return Err(format!("unknown oplog op '{other}'")),
        }
        if to_oplog {
            let ts = e
                .get_timestamp("ts")
                .map_err(|_| "oplog entry without a ts".to_string())?;
            let t = match e.get("t") {
                Some(Bson::Int64(t)) => *t,
                Some(Bson::Int32(t)) => i64::from(*t),
                _ => self.term,
            };
            let wall = e
                .get_datetime("wall")
                .copied()
                .unwrap_or_else(|_| bson::DateTime::now());
            self.ensure_oplog();
            if let Some(c) = self.oplog_mut() {
                c.insert_at(pack_ts(ts), e.clone());
            }
            self.sessions.record_entry(e);
            if pack_ts(ts) > pack_ts(self.last_ts) {
                self.last_ts = ts;
                self.last_applied = OpTime { ts, t };
                self.last_wall = wall;
            }
        }
        Ok(())
    }

    fn apply_command(
        &mut self,
        ns: &str,
        ui: Option<bson::Uuid>,
        o: &Document,
    ) -> Result<(), String> {
        let (db, _) = split_ns(ns).ok_or_else(|| format!("bad ns in oplog entry: {ns}"))?;
        let (name, arg) = o.iter().next().ok_or("empty command entry")?;
        let coll = arg.as_str().unwrap_or_default().to_string();
        match name.as_str() {
            "create" => {
                let mut opts = o.clone();
                opts.remove("create");
                opts.remove("idIndex");
                self.ensure_collection_inner(db, &coll, ui, opts);
            }
            "drop" => {
                if let Some(d) = self.dbs.get_mut(db) {
                    d.remove(&coll);
                    if d.is_empty() {
                        self.dbs.remove(db);
                    }
                }
            }
            "dropDatabase" => {
                self.dbs.remove(db);
                self.ensure_oplog();
            }
            "createIndexes" => {
                let mut spec = o.clone();
                spec.remove("createIndexes");
                let c = self.ensure_collection_inner(db, &coll, ui, Document::new());
                let name = spec.get_str("name").unwrap_or_default().to_string();
                if !c
                    .indexes
                    .iter()
                    .any(|s| s.get_str("name").ok() == Some(name.as_str()))
                {
                    c.add_index(spec)
                        .map_err(|(n, k)| format!("duplicate key building index {n}: {k}"))?;
                }
            }
            "renameCollection" => {
                let to = o
                    .get_str("to")
                    .map_err(|_| "renameCollection entry without 'to'".to_string())?;
                let (sdb, scoll) =
                    split_ns(&coll).ok_or_else(|| format!("bad source namespace {coll}"))?;
                let (tdb, tcoll) =
                    split_ns(to).ok_or_else(|| format!("bad target namespace {to}"))?;
                let moved = self.dbs.get_mut(sdb).and_then(|d| d.remove(scoll));
                if self.dbs.get(sdb).is_some_and(|d| d.is_empty()) && sdb != "local" {
                    self.dbs.remove(sdb);
                }
                if let Some(c) = moved {
                    self.dbs
                        .entry(tdb.to_string())
                        .or_default()
                        .insert(tcoll.to_string(), c);
                }
            }
            "collMod" => {
                if let Some(c) = self.coll_mut(db, &coll) {
                    for (k, v) in o.iter().skip(1) {
                        if super::validation::OPTIONS.contains(&k.as_str()) {
                            c.options.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            "dropIndexes" => {
                let index = o.get_str("index").unwrap_or_default().to_string();
                if let Some(c) = self.coll_mut(db, &coll) {
                    c.drop_index(&index);
                }
            }
            other => return Err(format!("unknown command in oplog entry: {other}")),
        }
        Ok(())
    }

    pub fn journal_record(&mut self, rec: Document) {
        if let Some(j) = &mut self.journal {
            j.append(&rec);
        }
    }

    /// Ends a mutating call: writes the queued journal records (before the reply goes out) and
    /// compacts when due.
    pub fn finish(&mut self) -> Result<(), String> {
        let flushed = match &mut self.journal {
            Some(j) => j.flush(),
            None => Ok(()),
        };
        if let Err(e) = &flushed {
            crate::log::write(
                'E',
                "STORAGE",
                22435,
                "journal",
                "Journal write failed; writes are refused until it succeeds",
                doc! {"error": e.as_str()},
            );
        } else {
            self.maybe_compact();
        }
        flushed
    }

    pub fn checkpoint(&mut self) {
        if let Some(mut j) = self.journal.take() {
            j.compact(self);
            self.journal = Some(j);
        }
    }

    /// Starts a background snapshot when the journal has grown enough.
    pub fn maybe_compact(&mut self) {
        let due = self.journal.as_mut().is_some_and(|j| j.compaction_due());
        if due {
            if let Some(mut j) = self.journal.take() {
                j.compact_in_background(self);
                self.journal = Some(j);
            }
        }
    }
}
