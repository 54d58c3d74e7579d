//! Persistence in `--dbpath`: a snapshot file plus a journal of changes since it.
//!
//! Files: `mongod.lock` (flock-ed while the process lives), `rsh-data.snapshot` (written to a temp
//! file and renamed, so it is always whole) and `rsh-data.journal.<gen>` (records appended with
//! one `write` per command, before the command's reply is sent, so acknowledged writes survive
//! SIGKILL). Compaction starts journal `gen + 1` at once and writes snapshot `gen + 1` in the
//! background (see `compaction`); until that rename lands, the old snapshot plus journals `gen`
//! and `gen + 1` hold everything, so opening replays every journal from the snapshot's on. Each record is `[len u32 LE][crc32c u32 LE][BSON]`; reading stops at the first
//! short or corrupt record and truncates the tail there (a torn last write).
//! Journal records: `{k:"o", e}` oplog entry (applied and logged), `{k:"x", e}` local-namespace
//! entry (applied only), `{k:"l", c, d}` single-document local collection, `{k:"t", t}` term.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use bson::{Bson, Document, Timestamp};

use super::compaction::{Background, Frozen};
use super::engine::Engine;
use super::optime::OpTime;

const SNAPSHOT: &str = "rsh-data.snapshot";
const COMPACT_MIN_BYTES: u64 = 64 * 1024 * 1024;

pub struct Journal {
    dir: PathBuf,
    gen: i64,
    file: File,
    bytes: u64,
    snapshot_bytes: u64,
    pending: Vec<u8>,
    failed: Option<String>,
    /// The snapshot being written in the background, if any.
    writing: Option<Background>,
    /// Journal size that makes a compaction due (lowered by tests).
    compact_min: u64,
    _lock: File,
}

fn journal_path(dir: &Path, gen: i64) -> PathBuf {
    dir.join(format!("rsh-data.journal.{gen}"))
}

fn lock_dbpath(dir: &Path) -> Result<File, String> {
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

/// Frames one record.
pub(super) fn encode(rec: &Document, out: &mut Vec<u8>) {
    let mut body = Vec::new();
    if rec.to_writer(&mut body).is_err() {
        return;
    }
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
    out.extend_from_slice(&body);
}

/// The records of `buf`, decoded one at a time (a snapshot of a million documents is never
/// held parsed all at once); stops at the first short or corrupt record.
pub struct Records<'a> {
    buf: &'a [u8],
    /// Length of the valid prefix read so far.
    pub valid: usize,
}

pub fn records(buf: &[u8]) -> Records<'_> {
    Records { buf, valid: 0 }
}

impl Iterator for Records<'_> {
    type Item = Document;

    fn next(&mut self) -> Option<Document> {
        let (buf, pos) = (self.buf, self.valid);
        let head = buf.get(pos..pos + 8)?;
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let body = buf.get(pos + 8..pos + 8 + len)?;
        if crc32c::crc32c(body) != crc {
            return None;
        }
        let d = Document::from_reader(body).ok()?;
        self.valid = pos + 8 + len;
        Some(d)
    }
}

fn read_file(path: &Path) -> Result<Option<Vec<u8>>, String> {
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

fn load_snapshot(recs: Records<'_>, engine: &mut Engine) -> Result<i64, String> {
    let mut gen = 0;
    for mut r in recs {
        // Taken out first (owned, no copy); only "d" records have it.
        let body = r.remove("d");
        match r.get_str("k").unwrap_or_default() {
            "h" => {
                gen = r.get_i64("gen").unwrap_or(0);
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
            _ => {}
        }
    }
    Ok(gen)
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

impl Journal {
    /// Locks `dir`, loads the snapshot and replays the journal into `engine`.
    pub fn open(dir: &Path, engine: &mut Engine) -> Result<Journal, String> {
        fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create dbpath {}: {e}", dir.display()))?;
        let lock = lock_dbpath(dir)?;
        let snap = read_file(&dir.join(SNAPSHOT))?;
        let snapshot_bytes = snap.as_ref().map_or(0, |s| s.len() as u64);
        let gen = match snap {
            Some(buf) => load_snapshot(records(&buf), engine)?,
            None => 0,
        };
        // Journals `gen`, `gen + 1`, ... in order: a background compaction may have died before
        // its snapshot landed, leaving the newest records in a later journal.
        let gens = journal_gens(dir, gen);
        let mut last = (gen, 0usize);
        for g in &gens {
            let valid = match read_file(&journal_path(dir, *g))? {
                Some(buf) => {
                    let mut recs = records(&buf);
                    replay(recs.by_ref(), engine)?;
                    recs.valid
                }
                None => 0,
            };
            last = (*g, valid);
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
        remove_journals_before(dir, gen);
        Ok(Journal {
            dir: dir.to_path_buf(),
            gen: gen_now,
            file,
            bytes: valid as u64,
            snapshot_bytes,
            pending: Vec::new(),
            failed: None,
            writing: None,
            compact_min: COMPACT_MIN_BYTES,
            _lock: lock,
        })
    }

    /// Queues a record; `flush` writes the queue.
    pub fn append(&mut self, rec: &Document) {
        encode(rec, &mut self.pending);
    }

    /// Writes queued records with one `write` call (page cache: survives the process's death).
    pub fn flush(&mut self) -> Result<(), String> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let buf = std::mem::take(&mut self.pending);
        match self.file.write_all(&buf) {
            Ok(()) => {
                self.bytes += buf.len() as u64;
                Ok(())
            }
            Err(e) => {
                let msg = format!("journal write failed: {e}");
                self.failed = Some(msg.clone());
                Err(msg)
            }
        }
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
        let gen = self.gen + 1;
        let jpath = journal_path(&self.dir, gen);
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&jpath)
            .map_err(|e| format!("cannot create {}: {e}", jpath.display()))?;
        self.file = file;
        self.gen = gen;
        self.bytes = 0;
        Ok(gen)
    }

    /// The last persistence failure, if any (the node may report it).
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}

/// Generations of the journal files in `dir` from `from` on, ascending (always includes `from`).
fn journal_gens(dir: &Path, from: i64) -> Vec<i64> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    /// Decodes every record of `buf`; returns them and the length of the valid prefix.
    fn decode_all(buf: &[u8]) -> (Vec<Document>, usize) {
        let mut r = records(buf);
        let out = r.by_ref().collect();
        (out, r.valid)
    }

    #[test]
    fn torn_tail_is_ignored() {
        let mut buf = Vec::new();
        encode(&doc! {"a": 1}, &mut buf);
        encode(&doc! {"b": 2}, &mut buf);
        let full = buf.len();
        encode(&doc! {"c": 3}, &mut buf);
        for cut in full..buf.len() {
            let (recs, valid) = decode_all(&buf[..cut]);
            assert_eq!(recs.len(), 2);
            assert_eq!(valid, full);
        }
        let (recs, _) = decode_all(&buf);
        assert_eq!(recs.len(), 3);
        let mut bad = buf.clone();
        let last = bad.len() - 2;
        bad[last] ^= 0xff;
        assert_eq!(decode_all(&bad).0.len(), 2);
    }
}
