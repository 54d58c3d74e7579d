//! Persistence in `--dbpath`: a snapshot file plus a journal of changes since it.
//!
//! Files: `mongod.lock` (flock-ed while the process lives), `rsh-data.snapshot` (written to a temp
//! file and renamed, so it is always whole) and `rsh-data.journal.<gen>` (records appended with
//! one `write` per command, before the command's reply is sent, so acknowledged writes survive
//! SIGKILL). Compaction starts journal `gen + 1` at once and writes snapshot `gen + 1` in the
//! background (see `compaction`); until that rename lands, the old snapshot plus journals `gen`
//! and `gen + 1` hold everything, so opening replays every journal from the snapshot's on.
//! Records are framed and checksummed as `records` describes: a torn tail of the newest journal
//! is cut off on open; damage anywhere else (a changed byte, a truncated or missing snapshot, a
//! missing journal generation) makes open fail with the file and offset, never a partial copy.
//! Appends are plain writes; `durable` makes a write wait for an fdatasync (group commit). A
//! failed append is cut back off the file and kept queued: the command fails, and no write is
//! accepted until the queue reaches the disk again.
//! Journal records: `{k:"o", e}` oplog entry (applied and logged), `{k:"x", e}` local-namespace
//! entry (applied only), `{k:"l", c, d}` single-document local collection, `{k:"t", t}` term.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use bson::{Bson, Document, Timestamp};

use std::sync::Arc;

use super::compaction::{Background, Frozen};
use super::durable::Durable;
use super::engine::Engine;
use super::optime::OpTime;
use super::records::{encode, records, Stop};

pub(super) const SNAPSHOT: &str = "rsh-data.snapshot";
const COMPACT_MIN_BYTES: u64 = 64 * 1024 * 1024;

pub struct Journal {
    dir: PathBuf,
    gen: i64,
    file: Arc<File>,
    bytes: u64,
    snapshot_bytes: u64,
    pending: Vec<u8>,
    failed: Option<String>,
    /// Why the last append failed; writes are refused until the queue is written.
    write_failed: Option<String>,
    durable: Arc<Durable>,
    /// The snapshot being written in the background, if any.
    writing: Option<Background>,
    /// Journal size that makes a compaction due (lowered by tests).
    compact_min: u64,
    _lock: File,
}

pub(super) fn journal_path(dir: &Path, gen: i64) -> PathBuf {
    dir.join(format!("rsh-data.journal.{gen}"))
}

pub(super) fn lock_dbpath(dir: &Path) -> Result<File, String> {
    let path = dir.join("mongod.lock");
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| {
            format!(
                "Unable to create/open the lock file: {} ({e})",
                path.display()
            )
        })?;
    // SAFETY: flock on a valid, open descriptor; no memory is shared with the kernel.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        return Err(format!(
            "Unable to lock the lock file: {} (Resource temporarily unavailable). Another mongod instance is already running on the {} directory",
            path.display(),
            dir.display()
        ));
    }
    let _ = f.set_len(0);
    let _ = (&f).write_all(format!("{}\n", std::process::id()).as_bytes());
    Ok(f)
}

pub(super) fn read_file(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match File::open(path) {
        Ok(mut f) => {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(Some(buf))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot open {}: {e}", path.display())),
    }
}

/// Describes damage in `path` for the refusal message.
fn damaged(path: &Path, offset: usize, why: &str) -> String {
    format!(
        "{} is damaged at offset {offset} ({why}); refusing to start with a partial copy: run with --repair to salvage what the checksums prove, or empty the dbpath so the member resyncs from its replica set",
        path.display()
    )
}

fn load_snapshot(path: &Path, buf: &[u8], engine: &mut Engine) -> Result<i64, String> {
    let mut gen = 0;
    let mut count = 0i64;
    let mut ended = false;
    let mut recs = records(buf);
    for r in recs.by_ref() {
        if ended {
            return Err(damaged(path, recs.valid, "records after the end record"));
        }
        count += 1;
        if let Some(n) = load_snapshot_record(r, engine, &mut gen) {
            ended = true;
            if n != count - 1 {
                return Err(damaged(path, recs.valid, "record count mismatch"));
            }
        }
    }
    match recs.stop {
        Some(Stop::Damaged { offset, why }) => Err(damaged(path, offset, why)),
        // A snapshot is renamed into place whole: a short one was cut after it was written.
        Some(Stop::Torn { offset }) => Err(damaged(path, offset, "truncated")),
        None if !ended => Err(damaged(path, buf.len(), "truncated: no end record")),
        None => Ok(gen),
    }
}

/// Loads one snapshot record into `engine` (`gen` from the header); `Some(n)` for the end
/// record, which counts the records before it.
pub(super) fn load_snapshot_record(
    mut r: Document,
    engine: &mut Engine,
    gen: &mut i64,
) -> Option<i64> {
    // Taken out first (owned, no copy); only "d" records have it.
    let body = r.remove("d");
    match r.get_str("k").unwrap_or_default() {
        "h" => {
            *gen = r.get_i64("gen").unwrap_or(0);
            engine.term = r.get_i64("term").unwrap_or(-1);
            engine.last_ts = r.get_timestamp("last_ts").unwrap_or(Timestamp {
                time: 0,
                increment: 0,
            });
            engine.last_applied = OpTime {
                ts: engine.last_ts,
                t: r.get_i64("last_t").unwrap_or(-1),
            };
            engine.last_wall = r
                .get_datetime("last_wall")
                .copied()
                .unwrap_or(bson::DateTime::from_millis(0));
        }
        "c" => {
            let (db, coll) = (
                r.get_str("db").unwrap_or_default(),
                r.get_str("coll").unwrap_or_default(),
            );
            let ui = match r.get("ui") {
                Some(Bson::Binary(b)) => <[u8; 16]>::try_from(b.bytes.as_slice())
                    .ok()
                    .map(bson::Uuid::from_bytes),
                _ => None,
            };
            let options = r.get_document("options").cloned().unwrap_or_default();
            let c = engine.ensure_collection_inner(db, coll, ui, options);
            if let Ok(ix) = r.get_array("indexes") {
                for spec in ix.iter().filter_map(|s| s.as_document()) {
                    // Specs came from a consistent collection; a failure only loses enforcement.
                    let _ = c.add_index(spec.clone());
                }
            }
        }
        "d" => {
            let (db, coll) = (
                r.get_str("db").unwrap_or_default(),
                r.get_str("coll").unwrap_or_default(),
            );
            let rid = r.get_i64("rid").unwrap_or(0) as u64;
            let d = match body {
                Some(Bson::Document(d)) => d,
                _ => Document::new(),
            };
            if let Some(c) = engine.coll_mut(db, coll) {
                c.insert_at(rid, d);
            }
        }
        "e" => return Some(r.get_i64("n").unwrap_or(-1)),
        _ => {}
    }
    None
}

pub fn replay(recs: impl Iterator<Item = Document>, engine: &mut Engine) -> Result<(), String> {
    for r in recs {
        match r.get_str("k").unwrap_or_default() {
            "o" | "x" => {
                let e = r
                    .get_document("e")
                    .map_err(|_| "journal record without entry".to_string())?;
                engine.apply_entry(e, r.get_str("k") == Ok("o"))?;
            }
            "l" => {
                let c = r.get_str("c").unwrap_or_default().to_string();
                engine.put_local_inner(&c, r.get_document("d").cloned().unwrap_or_default());
            }
            "t" => engine.term = r.get_i64("t").unwrap_or(engine.term),
            _ => {}
        }
    }
    Ok(())
}

/// A background snapshot holds no lock of its own: the journal waits for it before its lock is
/// released, so a store opened next on the same dbpath never sees it remove journals.
impl Drop for Journal {
    fn drop(&mut self) {
        if let Some(w) = self.writing.take() {
            let _ = w.finish();
        }
    }
}

impl Journal {
    /// Locks `dir`, loads the snapshot and replays the journal into `engine`.
    pub fn open(dir: &Path, engine: &mut Engine) -> Result<Journal, String> {
        fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create dbpath {}: {e}", dir.display()))?;
        let lock = lock_dbpath(dir)?;
        let snap_path = dir.join(SNAPSHOT);
        let snap = read_file(&snap_path)?;
        let snapshot_bytes = snap.as_ref().map_or(0, |s| s.len() as u64);
        let gen = match snap {
            Some(buf) => load_snapshot(&snap_path, &buf, engine)?,
            None => 0,
        };
        // Journals `gen`, `gen + 1`, ... in order: a background compaction may have died before
        // its snapshot landed, leaving the newest records in a later journal.
        let gens = journal_gens(dir, gen);
        check_generations(dir, gen, &gens)?;
        let mut last = (gen, 0usize);
        for (i, g) in gens.iter().enumerate() {
            let path = journal_path(dir, *g);
            // The snapshot's own generation may not exist yet (a fresh dbpath); any journal
            // missing before a later one would drop its records, so opening stops there.
            let buf = match read_file(&path)? {
                Some(buf) => buf,
                None if i + 1 == gens.len() => Vec::new(),
                None => {
                    return Err(format!(
                        "{} is missing but a later journal exists; is another process using the dbpath?",
                        path.display()
                    ))
                }
            };
            let mut recs = records(&buf);
            replay(recs.by_ref(), engine)?;
            match recs.stop {
                Some(Stop::Damaged { offset, why }) => return Err(damaged(&path, offset, why)),
                // Only the newest journal can end mid-append.
                Some(Stop::Torn { offset }) if i + 1 < gens.len() => {
                    return Err(damaged(&path, offset, "truncated"))
                }
                Some(Stop::Torn { offset }) => {
                    crate::log::write(
                        'W',
                        "STORAGE",
                        22430,
                        "initandlisten",
                        "Journal ends with a torn record; cutting it off",
                        bson::doc! {"file": path.display().to_string(), "offset": offset as i64},
                    );
                }
                None => {}
            }
            last = (*g, recs.valid);
        }
        let (gen_now, valid) = last;
        let jpath = journal_path(dir, gen_now);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&jpath)
            .map_err(|e| format!("cannot open {}: {e}", jpath.display()))?;
        // Cut a torn tail so new records follow the last good one.
        file.set_len(valid as u64)
            .map_err(|e| format!("cannot truncate {}: {e}", jpath.display()))?;
        let file = Arc::new(file);
        let durable = Arc::new(Durable::default());
        durable.switched(file.clone());
        sync_dir(dir);
        remove_journals_before(dir, gen);
        Ok(Journal {
            dir: dir.to_path_buf(),
            gen: gen_now,
            file,
            bytes: valid as u64,
            snapshot_bytes,
            pending: Vec::new(),
            failed: None,
            write_failed: None,
            durable,
            writing: None,
            compact_min: COMPACT_MIN_BYTES,
            _lock: lock,
        })
    }

    /// Queues a record; `flush` writes the queue.
    pub fn append(&mut self, rec: &Document) {
        encode(rec, &mut self.pending);
    }

    /// Writes queued records with one `write` call (page cache: survives the process's death;
    /// `durable` waits for the disk). On failure the part written is cut off again and the
    /// records stay queued for the next attempt.
    pub fn flush(&mut self) -> Result<(), String> {
        if self.pending.is_empty() {
            return Ok(());
        }
        match (&*self.file).write_all(&self.pending) {
            Ok(()) => {
                let n = self.pending.len() as u64;
                self.pending.clear();
                self.bytes += n;
                self.durable.wrote(n);
                self.write_failed = None;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.bytes);
                let msg = format!("journal write failed: {e}");
                self.write_failed = Some(msg.clone());
                Err(msg)
            }
        }
    }

    /// `Err` while appends fail (disk full): retries the queued records first.
    pub fn writable(&mut self) -> Result<(), String> {
        if self.write_failed.is_some() {
            self.flush()?;
        }
        Ok(())
    }

    /// The group-commit handle and the position everything queued so far will reach.
    pub fn durable(&self) -> (Arc<Durable>, u64) {
        (self.durable.clone(), self.durable.position())
    }

    /// True when the journal has outgrown the snapshot (and no snapshot is being written).
    pub fn compaction_due(&mut self) -> bool {
        self.reap(false);
        self.writing.is_none() && self.bytes > self.compact_min && self.bytes > self.snapshot_bytes
    }

    /// Collects a finished background snapshot (waiting for it when `wait`).
    fn reap(&mut self, wait: bool) {
        if self.writing.as_ref().is_some_and(|w| wait || w.is_done()) {
            if let Some(w) = self.writing.take() {
                match w.finish() {
                    Ok(bytes) => self.snapshot_bytes = bytes,
                    Err(e) => self.failed = Some(e),
                }
            }
        }
    }

    /// Starts journal generation + 1 now and writes the matching snapshot of `engine` on a
    /// background thread (the engine is only read here, briefly).
    pub fn compact_in_background(&mut self, engine: &Engine) {
        match self.next_generation() {
            Ok(gen) => {
                let frozen = Frozen::take(engine, gen);
                match Background::start(frozen, self.dir.clone(), SNAPSHOT, gen) {
                    Ok(w) => self.writing = Some(w),
                    Err(e) => self.failed = Some(e),
                }
            }
            Err(e) => self.failed = Some(e),
        }
    }

    /// Writes a new snapshot of `engine` now (clean shutdown) and starts an empty journal.
    pub fn compact(&mut self, engine: &Engine) {
        self.reap(true);
        let done = self.next_generation().and_then(|gen| {
            let bytes = Frozen::take(engine, gen).write(&self.dir, SNAPSHOT)?;
            remove_journals_before(&self.dir, gen);
            Ok(bytes)
        });
        match done {
            Ok(bytes) => self.snapshot_bytes = bytes,
            Err(e) => self.failed = Some(e),
        }
    }

    /// Tests: compact sooner than every 64 MB.
    #[cfg(test)]
    pub fn set_compaction_threshold(&mut self, bytes: u64) {
        self.compact_min = bytes;
    }

    /// Waits for a background snapshot to land (tests; clean shutdown goes through `compact`).
    #[cfg(test)]
    pub fn wait_for_snapshot(&mut self) {
        self.reap(true);
    }

    /// Flushes and switches appends to a new, empty journal file; returns its generation.
    /// (Public for tests that simulate a snapshot thread dying before its rename.)
    pub fn next_generation(&mut self) -> Result<i64, String> {
        self.flush()?;
        // Waiters on the old file are covered by this sync (`switched` marks it done).
        self.file
            .sync_data()
            .map_err(|e| format!("journal sync failed: {e}"))?;
        let gen = self.gen + 1;
        let jpath = journal_path(&self.dir, gen);
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&jpath)
            .map_err(|e| format!("cannot create {}: {e}", jpath.display()))?;
        sync_dir(&self.dir);
        self.file = Arc::new(file);
        self.durable.switched(self.file.clone());
        self.gen = gen;
        self.bytes = 0;
        Ok(gen)
    }

    /// The last persistence failure, if any (the node may report it).
    pub fn failure(&self) -> Option<&str> {
        self.write_failed.as_deref().or(self.failed.as_deref())
    }
}

/// Damage visible in the file list: journals newer than the snapshot without it (deleted), or a
/// generation missing between two present ones.
fn check_generations(dir: &Path, snapshot_gen: i64, gens: &[i64]) -> Result<(), String> {
    let snapshot = dir.join(SNAPSHOT);
    if snapshot_gen == 0 && !snapshot.exists() {
        let any_later = gens.iter().any(|g| *g > 0);
        let first_missing = !journal_path(dir, 0).exists();
        if any_later && first_missing {
            return Err(format!(
                "{} is missing but journal generation {} exists; refusing to start with a partial copy: run with --repair to salvage what the checksums prove, or empty the dbpath so the member resyncs from its replica set",
                snapshot.display(),
                gens.iter().copied().filter(|g| *g > 0).min().unwrap_or(1)
            ));
        }
    }
    for w in gens.windows(2) {
        if w[1] != w[0] + 1 {
            return Err(format!(
                "{} is missing; refusing to start with a partial copy: run with --repair to salvage what the checksums prove, or empty the dbpath so the member resyncs from its replica set",
                journal_path(dir, w[0] + 1).display()
            ));
        }
    }
    Ok(())
}

/// Makes a created or renamed file's directory entry durable.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Generations of the journal files in `dir` from `from` on, ascending (always includes `from`).
pub(super) fn journal_gens(dir: &Path, from: i64) -> Vec<i64> {
    let mut gens = vec![from];
    if let Ok(rd) = fs::read_dir(dir) {
        for ent in rd.flatten() {
            let name = ent.file_name().to_string_lossy().to_string();
            if let Some(g) = name.strip_prefix("rsh-data.journal.") {
                if let Ok(g) = g.parse::<i64>() {
                    if g > from {
                        gens.push(g);
                    }
                }
            }
        }
    }
    gens.sort_unstable();
    gens
}

/// Removes the journals a snapshot of generation `gen` has made redundant.
pub(super) fn remove_journals_before(dir: &Path, gen: i64) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for ent in rd.flatten() {
        let name = ent.file_name().to_string_lossy().to_string();
        if let Some(g) = name.strip_prefix("rsh-data.journal.") {
            if g.parse::<i64>().is_ok_and(|g| g < gen) {
                let _ = fs::remove_file(ent.path());
            }
        }
    }
}
