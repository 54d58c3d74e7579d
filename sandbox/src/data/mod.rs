//! The sandbox's data layer: databases and collections in memory, queries, updates, cursors,
//! the oplog (`local.oplog.rs`) and persistence in `--dbpath`. No replica-set logic lives here:
//! the node decides whether a command may run and waits for write concern; `Store` executes.
//!
//! Oplog format (what `apply_oplog` accepts and `oplog_after` returns), one document per write:
//! `{op, ns, ui, o, [o2], ts, t, v: 2, wall}` with
//! * `op: "i"` — `o` is the inserted document;
//! * `op: "u"` — `o` is the full post-image and `o2: {_id}` (replacement form, so applying twice is
//!   harmless; real servers log `$v: 2` diffs, which clients never need to parse); an operator
//!   update adds `o2.updateDescription` (what it changed, for change streams);
//! * `op: "d"` — `o: {_id}`;
//! * `op: "c"` — `ns: "<db>.$cmd"`, `o` one of `{create: coll, ...options}`, `{drop: coll}`,
//!   `{dropDatabase: 1}`, `{createIndexes: coll, ...spec}`, `{dropIndexes: coll, index: name}`;
//! * `op: "n"` — a no-op with `o: {msg: ...}`.
//!
//! Persistence: every change is appended to a journal file (length-prefixed, CRC-checked records)
//! before the command returns; a compacted snapshot replaces the journal from time to time. A torn
//! last record (SIGKILL mid-write) is ignored on open.

pub mod agg_out;
pub use aggregate::run_stages;
mod aggregate;
mod change_diff;
mod change_stream;
mod cmd_admin;
mod cmd_catalog;
mod cmd_indexes;
mod cmd_modify;
mod cmd_read;
mod cmd_stats;
mod cmd_write;
mod collection;
mod commands;
mod compaction;
mod compare;
mod cursor;
mod depth;
mod docpath;
mod durable;
mod engine;
mod explain;
mod explain_plan;
mod expr;
mod find_shape;
mod fmt;
pub mod footprint;
mod index_cursor;
pub(crate) mod insert_parts;
pub mod interrupt;
mod journal;
mod key_bounds;
mod matcher;
mod min_max;
mod optime;
mod path;
mod planner;
mod projection;
mod records;
mod regex;
mod repair;
mod rollback;
mod secondary;
mod sessions;
mod snapshot;
mod sort;
mod tailable;
// Entry points of the auth module (admin.system.users).
mod system_users;
mod system_version;
mod update;
mod validation;

#[cfg(test)]
mod tests;

pub use collection::bson_size;
pub use matcher::truthy;
pub use optime::{pack_ts, unpack_ts, OpTime};
pub use repair::{repair, RepairReport};
pub use rollback::{counts_doc, RollbackSummary, Touched};
pub use snapshot::Export;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bson::{Document, Timestamp};

use super::error::CmdError;

/// The result of a data command: the reply body (ending in `ok: 1.0`, without cluster time) and,
/// for commands that wrote, the optime of their last oplog entry (what write concern waits for).
#[derive(Debug, Clone, PartialEq)]
pub struct CmdOutcome {
    pub reply: Document,
    pub write_optime: Option<OpTime>,
}

/// How the node gates a command (primary/secondary rules, write concern).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmdKind {
    /// Reads: allowed on secondaries with a read preference.
    Read,
    /// Writes: primary only; may carry a writeConcern.
    Write,
    /// getMore / killCursors: follow the cursor, not the state.
    Cursor,
}

/// Oplog figures for collStats / $collStats / printReplicationInfo.
#[derive(Debug, Clone, PartialEq)]
pub struct OplogStats {
    /// Capped size in bytes (`--oplogSize` or the default).
    pub max_size: i64,
    /// Sum of the entries' BSON sizes.
    pub size: i64,
    pub count: i64,
    pub first: Option<OpTime>,
    pub last: Option<OpTime>,
}

/// mongod's error when its storage cannot write (disk full, file size limit).
fn out_of_disk(why: String) -> CmdError {
    CmdError::new(14031, "OutOfDiskSpace", why)
}

/// A query filter applied to documents that live outside collections (e.g. `currentOp`'s).
pub struct DocFilter(matcher::Filter);

impl DocFilter {
    pub fn parse(filter: &Document) -> Result<DocFilter, CmdError> {
        matcher::Filter::parse(filter).map(DocFilter)
    }

    pub fn matches(&self, doc: &Document) -> bool {
        self.0.matches(doc)
    }
}

/// Thread-safe handle on one member's data; clones share the same state.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Mutex<engine::Engine>>,
    /// The engine's clock, copied after every change: heartbeats, votes and hello read it
    /// without waiting behind a long command holding `inner`.
    progress: Arc<Mutex<Progress>>,
    /// Threads waiting for `inner`: a long insert lets them in between its parts.
    waiting: Arc<AtomicUsize>,
}

#[derive(Clone, Copy)]
struct Progress {
    applied: OpTime,
    wall: bson::DateTime,
    term: i64,
}

impl Progress {
    fn of(e: &engine::Engine) -> Progress {
        Progress {
            applied: e.last_applied(),
            wall: e.last_applied_wall(),
            term: e.term(),
        }
    }
}

impl Store {
    /// Opens (or creates) the data in `dbpath`, replaying the journal; takes the dbpath lock
    /// (`mongod.lock`) so a second process on the same dbpath fails with a clear message.
    pub fn open(dbpath: impl AsRef<Path>) -> Result<Store, String> {
        let engine = engine::Engine::open(Some(dbpath.as_ref()))?;
        Ok(Store::over(engine))
    }

    /// A store that keeps nothing on disk (unit tests, arbiters).
    pub fn in_memory() -> Store {
        let engine = engine::Engine::open(None).unwrap_or_else(|_| engine::Engine::empty());
        Store::over(engine)
    }

    fn over(engine: engine::Engine) -> Store {
        let progress = Arc::new(Mutex::new(Progress::of(&engine)));
        Store {
            inner: Arc::new(Mutex::new(engine)),
            progress,
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn progress(&self) -> Progress {
        *self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock(&self) -> MutexGuard<'_, engine::Engine> {
        if let Ok(g) = self.inner.try_lock() {
            return g;
        }
        self.waiting.fetch_add(1, Ordering::AcqRel);
        // A panic while holding the lock leaves consistent-enough data; keep serving.
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        g
    }

    /// Runs a mutation and writes its journal records before returning (a failed write is
    /// logged and stays queued; callers that answer clients use `write_checked`).
    fn write<T>(&self, f: impl FnOnce(&mut engine::Engine) -> T) -> T {
        self.write_checked(f).0
    }

    /// Like `write`, also saying whether the journal write succeeded.
    fn write_checked<T>(
        &self,
        f: impl FnOnce(&mut engine::Engine) -> T,
    ) -> (T, Result<(), String>) {
        let (out, persisted) = self.write_unpublished(f);
        self.publish();
        (out, persisted)
    }

    fn write_unpublished<T>(
        &self,
        f: impl FnOnce(&mut engine::Engine) -> T,
    ) -> (T, Result<(), String>) {
        let mut g = self.lock();
        let out = f(&mut g);
        let persisted = g.finish();
        (out, persisted)
    }

    /// Copies the engine's clock for lock-free readers.
    fn publish(&self) {
        let g = self.lock();
        // Under the engine lock, so the copy never goes backwards.
        *self.progress.lock().unwrap_or_else(|p| p.into_inner()) = Progress::of(&g);
    }

    /// Blocks until everything written so far is on stable storage (group commit; call off the
    /// async runtime). Without a dbpath there is nothing to wait for.
    pub fn wait_durable(&self) -> Result<(), String> {
        let handle = self.lock().journal.as_ref().map(|j| j.durable());
        match handle {
            Some((d, pos)) => d.wait(pos),
            None => Ok(()),
        }
    }

    /// Caps the oplog at `mb` megabytes (`--oplogSize`); default 990 MB.
    pub fn set_oplog_size_mb(&self, mb: f64) {
        self.lock().set_oplog_size_mb(mb);
    }

    /// The host and port explain's `serverInfo` reports for this member.
    pub fn set_server_address(&self, host: &str, port: u16) {
        self.write(|e| e.server_addr = Some((host.to_string(), i32::from(port))));
    }

    /// Which gate applies to command `name` (`None`: not a data command).
    pub fn command_kind(name: &str) -> Option<CmdKind> {
        engine::command_kind(name)
    }

    /// Runs a CRUD/catalog command (`cmd`'s first key names it) against database `db`.
    /// Synchronous and CPU-bound: large scans should be run through `spawn_blocking`.
    pub fn run(&self, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
        self.run_while(db, cmd, &|| true)
    }

    /// Like `run`; a large insert is applied in parts (see insert_parts.rs) and stops before a
    /// part when `may_continue` says no (the member stopped being primary).
    pub fn run_while(
        &self,
        db: &str,
        cmd: &Document,
        may_continue: &dyn Fn() -> bool,
    ) -> Result<CmdOutcome, CmdError> {
        if let Some(total) = insert_parts::applies(cmd) {
            return self.insert_in_parts(db, cmd, total, may_continue);
        }
        let writes = cmd
            .keys()
            .next()
            .and_then(|name| engine::command_kind(name))
            == Some(CmdKind::Write)
            || (cmd.contains_key("aggregate") && agg_out::writes(cmd));
        let (out, persisted) = self.write_checked(|e| {
            if writes {
                if let Some(j) = e.journal.as_mut() {
                    j.writable().map_err(out_of_disk)?;
                }
            }
            e.run(db, cmd)
        });
        persisted.map_err(out_of_disk)?;
        if matches!(
            cmd.keys().next().map(String::as_str),
            Some("drop" | "dropDatabase")
        ) {
            footprint::release_free_memory();
        }
        out
    }

    /// The term new oplog entries are written under (persisted).
    pub fn set_term(&self, term: i64) {
        self.write(|e| e.set_term(term));
    }

    pub fn term(&self) -> i64 {
        self.progress().term
    }

    /// Appends `{op: "n", o: msg}` (e.g. `{msg: "new primary"}`) and returns its optime.
    pub fn append_noop(&self, msg: Document) -> OpTime {
        self.write(|e| e.append_noop(msg))
    }

    /// Optime of the newest oplog entry (`OpTime::null()` when the oplog is empty).
    pub fn last_applied(&self) -> OpTime {
        self.progress().applied
    }

    /// Wall-clock time of the newest oplog entry (for hello's lastWriteDate, optimeDate).
    pub fn last_applied_wall(&self) -> bson::DateTime {
        self.progress().wall
    }

    /// Up to `limit` oplog entries with `ts` strictly after `ts`, oldest first, stopping before
    /// the entry that would take their BSON sizes past `max_bytes` (the first one always comes).
    pub fn oplog_after(&self, ts: Timestamp, limit: usize, max_bytes: u64) -> Vec<Document> {
        self.lock().oplog_after(ts, limit, max_bytes)
    }

    /// True when the oplog holds an entry at exactly `ts` (a syncing member's common point check).
    pub fn oplog_contains(&self, ts: Timestamp) -> bool {
        self.lock().oplog_contains(ts)
    }

    /// Optime of the oldest entry still in the (capped) oplog.
    pub fn first_optime(&self) -> Option<OpTime> {
        self.lock().first_optime()
    }

    /// Applies entries pulled from a sync source, in order. Entries at or before the last applied
    /// timestamp are skipped, so re-applying a batch is harmless.
    /// The batch is on stable storage before this returns, so the position a secondary reports
    /// (what w:majority counts) is durable.
    pub fn apply_oplog(&self, entries: &[Document]) -> Result<(), String> {
        let (out, persisted) = self.write_unpublished(|e| e.apply_oplog(entries));
        let synced = persisted.and_then(|()| self.wait_durable());
        self.publish();
        out?;
        synced
    }

    /// Stores the replica-set config as the single document of `local.system.replset`.
    pub fn set_replset_config(&self, cfg: &Document) {
        self.write(|e| e.put_local("system.replset", cfg.clone()));
    }

    /// The stored replica-set config (after a restart), if any.
    pub fn replset_config(&self) -> Option<Document> {
        self.lock().get_local("system.replset")
    }

    /// Replaces the single document of `local.<coll>` (never replicated; persisted), e.g.
    /// `replset.election` for `{term, votedFor}`.
    pub fn put_local(&self, coll: &str, doc: Document) {
        self.write(|e| e.put_local(coll, doc));
    }

    pub fn get_local(&self, coll: &str) -> Option<Document> {
        self.lock().get_local(coll)
    }

    pub fn oplog_stats(&self) -> OplogStats {
        self.lock().oplog_stats()
    }

    /// Everything an initial sync copies: a header `{kind: "header", last: <newest oplog entry or
    /// null>}`, then per collection `{kind: "coll", ns, options, indexes}` followed by
    /// `{kind: "docs", ns, docs: [...]}` chunks of at most ~4 MB. Send them in order.
    pub fn export_snapshot(&self) -> Vec<Document> {
        self.lock().export_snapshot()
    }

    /// Freezes the data for an initial sync handed out in pages (`Export::next_page`).
    pub fn begin_export(&self) -> Export {
        self.lock().begin_export()
    }

    /// Replaces all non-`local` data and the oplog with a snapshot from `export_snapshot`
    /// (the oplog then holds only the snapshot's last entry). Open cursors are dropped.
    pub fn import_snapshot(&self, parts: &[Document]) -> Result<(), String> {
        self.write(|e| e.import_snapshot(parts))
    }

    /// Writes a compacted snapshot now (e.g. at clean shutdown) so the next open replays nothing.
    pub fn checkpoint(&self) {
        self.lock().checkpoint();
    }

    /// The last persistence failure (disk full, permissions), if any.
    pub fn persistence_error(&self) -> Option<String> {
        self.lock()
            .journal
            .as_ref()
            .and_then(|j| j.failure().map(str::to_string))
    }

    /// Runs `f` on the journal (tests: compaction threshold, simulated crashes).
    #[cfg(test)]
    pub(crate) fn with_journal(&self, f: impl FnOnce(&mut journal::Journal)) {
        if let Some(j) = self.lock().journal.as_mut() {
            f(j);
        }
    }

    /// Drops every cursor (e.g. on stepdown or when sessions end).
    pub fn kill_all_cursors(&self) {
        self.lock().kill_all_cursors();
    }
}
