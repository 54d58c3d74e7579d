//! Writing a snapshot of the data without stopping the node.
//!
//! Under the store lock we only take a `Frozen` view: per collection its catalog entry and the
//! `Arc`s of its documents (pointer copies, no BSON work). Serializing and writing the file, which
//! takes seconds for a million documents, happens on a thread of its own; heartbeats, votes and
//! writes go on meanwhile (a node that stalls for seconds is voted out by its peers).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use bson::{doc, Bson, Document};

use super::collection::{Collection, Stored};
use super::engine::Engine;

/// One collection as it was when frozen (a snapshot's or an initial sync's copy).
pub struct FrozenColl {
    pub db: String,
    pub name: String,
    pub uuid: bson::Uuid,
    pub options: Document,
    pub indexes: Vec<Document>,
    /// Record id and document (shared with the live collection, not copied).
    pub docs: Vec<(u64, Stored)>,
}

impl FrozenColl {
    pub fn of(db: &str, name: &str, c: &Collection) -> FrozenColl {
        FrozenColl {
            db: db.to_string(),
            name: name.to_string(),
            uuid: c.uuid,
            options: c.options.clone(),
            indexes: c.indexes.clone(),
            docs: c.docs.iter().map(|(rid, s)| (*rid, s.clone())).collect(),
        }
    }
}

/// A consistent, immutable view of an engine's data, cheap to take.
pub struct Frozen {
    header: Document,
    colls: Vec<FrozenColl>,
}

impl Frozen {
    /// Takes the view for snapshot generation `gen`.
    pub fn take(engine: &Engine, gen: i64) -> Frozen {
        let header = doc! {
            "k": "h", "gen": gen, "term": engine.term, "last_ts": engine.last_ts,
            "last_t": engine.last_applied.t, "last_wall": engine.last_wall,
        };
        let colls = engine
            .dbs
            .iter()
            .flat_map(|(db, cs)| cs.iter().map(move |(name, c)| FrozenColl::of(db, name, c)))
            .collect();
        Frozen { header, colls }
    }

    /// Writes the view to `dir/<snapshot>` through a temporary file and a rename, so the snapshot
    /// on disk is always whole. Returns the bytes written.
    pub fn write(&self, dir: &Path, snapshot: &str) -> Result<u64, String> {
        let tmp = dir.join(format!("{snapshot}.tmp"));
        let io = |e: std::io::Error| format!("snapshot write failed: {e}");
        let mut w = BufWriter::new(File::create(&tmp).map_err(io)?);
        let mut buf = Vec::new();
        let mut total = 0u64;
        let mut put = |w: &mut BufWriter<File>, rec: &Document| -> Result<(), String> {
            buf.clear();
            super::records::encode(rec, &mut buf);
            total += buf.len() as u64;
            w.write_all(&buf).map_err(io)
        };
        put(&mut w, &self.header)?;
        for c in &self.colls {
            let indexes: Vec<Bson> = c.indexes.iter().cloned().map(Bson::Document).collect();
            put(
                &mut w,
                &doc! {"k": "c", "db": &c.db, "coll": &c.name, "ui": c.uuid,
                "options": c.options.clone(), "indexes": indexes},
            )?;
            for (rid, d) in &c.docs {
                put(
                    &mut w,
                    &doc! {"k": "d", "db": &c.db, "coll": &c.name, "rid": *rid as i64,
                    "d": (*d.doc()).clone()},
                )?;
            }
        }
        let n = 1 + self
            .colls
            .iter()
            .map(|c| 1 + c.docs.len() as i64)
            .sum::<i64>();
        // The end record proves the file whole: a snapshot cut at a record boundary lacks it.
        put(&mut w, &doc! {"k": "e", "n": n})?;
        let f = w.into_inner().map_err(|e| io(e.into_error()))?;
        f.sync_all().map_err(io)?;
        fs::rename(&tmp, dir.join(snapshot)).map_err(io)?;
        super::journal::sync_dir(dir);
        Ok(total)
    }
}

/// A snapshot being written on its own thread; `finish` waits for it.
pub struct Background {
    handle: JoinHandle<Result<u64, String>>,
}

impl Background {
    /// Writes `frozen` on a new thread, then removes the journals older than its generation.
    pub fn start(
        frozen: Frozen,
        dir: PathBuf,
        snapshot: &'static str,
        gen: i64,
    ) -> Result<Background, String> {
        std::thread::Builder::new()
            .name("snapshot".into())
            // Stored documents nest up to 180 levels; encoding them recurses.
            .stack_size(crate::wire::validate::PARSE_STACK_BYTES)
            .spawn(move || {
                let bytes = frozen.write(&dir, snapshot)?;
                drop(frozen);
                super::journal::remove_journals_before(&dir, gen);
                Ok(bytes)
            })
            .map(|handle| Background { handle })
            .map_err(|e| format!("cannot start the snapshot thread: {e}"))
    }

    pub fn is_done(&self) -> bool {
        self.handle.is_finished()
    }

    /// Waits for the thread; its result (bytes written or why it failed).
    pub fn finish(self) -> Result<u64, String> {
        self.handle
            .join()
            .unwrap_or_else(|_| Err("the snapshot thread panicked".to_string()))
    }
}
