//! Initial sync: export every non-`local` collection plus the newest oplog entry as a list of
//! parts, and import such a list in place of the current data.

use std::collections::VecDeque;

use bson::{doc, Bson, Document};

use super::collection::Stored;
use super::compaction::FrozenColl;

use super::engine::{split_ns, Engine};
use super::optime::{pack_ts, OpTime};

const CHUNK_BYTES: u64 = 4 * 1024 * 1024;

/// What an initial sync copies, frozen when it starts (documents shared, not copied) and handed
/// out in pages, so a source with gigabytes of data never builds one giant reply: a header
/// `{kind: "header", last: <newest oplog entry or null>}`, then per collection
/// `{kind: "coll", ns, ui, options, indexes}` followed by `{kind: "docs", ns, docs}` chunks of at
/// most ~4 MB.
pub struct Export {
    pieces: VecDeque<Piece>,
}

enum Piece {
    Ready(Document),
    Docs { ns: String, docs: VecDeque<Stored> },
}

impl Export {
    /// The next parts, at most `max_bytes` of documents (or one larger document alone; at least
    /// one part while any remain); `None` once everything was handed out.
    pub fn next_page(&mut self, max_bytes: u64) -> Option<Vec<Document>> {
        let mut page = Vec::new();
        let mut bytes = 0u64;
        while bytes < max_bytes {
            let Some(piece) = self.pieces.front_mut() else {
                break;
            };
            match piece {
                Piece::Ready(_) => {
                    if let Some(Piece::Ready(d)) = self.pieces.pop_front() {
                        page.push(d);
                    }
                }
                Piece::Docs { ns, docs } => {
                    let mut chunk = Vec::new();
                    let mut chunk_bytes = 0u64;
                    let limit = CHUNK_BYTES.min(max_bytes - bytes);
                    while let Some(s) = docs.front() {
                        // A document that would take the page past `max_bytes` waits for the
                        // next page unless the page holds none yet: a 16 MB document then
                        // travels alone and the reply stays near the BSON size limit.
                        let over = chunk_bytes + u64::from(s.size) > limit;
                        if over && (!chunk.is_empty() || bytes > 0) {
                            break;
                        }
                        chunk_bytes += u64::from(s.size);
                        chunk.push(Bson::Document((*s.doc()).clone()));
                        docs.pop_front();
                    }
                    let (drained, took) = (docs.is_empty(), !chunk.is_empty());
                    if took {
                        page.push(doc! {"kind": "docs", "ns": ns.as_str(), "docs": chunk});
                    }
                    bytes += chunk_bytes;
                    if drained {
                        self.pieces.pop_front();
                    } else if !took {
                        // The next document opens the next page.
                        break;
                    }
                }
            }
        }
        (!page.is_empty()).then_some(page)
    }
}

impl Engine {
    /// Freezes the data an initial sync copies (pointer copies under the lock; see `Export`).
    pub fn begin_export(&self) -> Export {
        let last = self
            .oplog()
            .and_then(|c| c.docs.values().next_back())
            .map(|s| Bson::Document((*s.doc()).clone()));
        let mut pieces = VecDeque::new();
        pieces.push_back(Piece::Ready(
            doc! {"kind": "header", "last": last.unwrap_or(Bson::Null)},
        ));
        for (db, colls) in self.dbs.iter().filter(|(db, _)| db.as_str() != "local") {
            for (name, c) in colls {
                let f = FrozenColl::of(db, name, c);
                let ns = format!("{db}.{name}");
                let indexes: Vec<Bson> = f.indexes.into_iter().map(Bson::Document).collect();
                pieces.push_back(Piece::Ready(doc! {"kind": "coll", "ns": &ns, "ui": f.uuid,
                "options": f.options, "indexes": indexes}));
                pieces.push_back(Piece::Docs {
                    ns,
                    docs: f.docs.into_iter().map(|(_, s)| s).collect(),
                });
            }
        }
        Export { pieces }
    }

    /// Every part at once (tests and small sets).
    pub fn export_snapshot(&self) -> Vec<Document> {
        let mut export = self.begin_export();
        let mut parts = Vec::new();
        while let Some(page) = export.next_page(u64::MAX) {
            parts.extend(page);
        }
        parts
    }

    pub fn import_snapshot(&mut self, parts: &[Document]) -> Result<(), String> {
        let header = parts
            .first()
            .filter(|h| h.get_str("kind") == Ok("header"))
            .ok_or("snapshot without header")?;
        self.dbs.retain(|db, _| db == "local");
        if let Some(local) = self.dbs.get_mut("local") {
            local.remove("oplog.rs");
        }
        self.ensure_oplog();
        self.cursors.clear();
        self.sessions.clear();
        for p in &parts[1..] {
            let ns = p
                .get_str("ns")
                .map_err(|_| "snapshot part without ns".to_string())?;
            let (db, coll) = split_ns(ns).ok_or_else(|| format!("bad ns in snapshot: {ns}"))?;
            if db == "local" {
                continue;
            }
            match p.get_str("kind").unwrap_or_default() {
                "coll" => {
                    let ui = match p.get("ui") {
                        Some(Bson::Binary(b)) => <[u8; 16]>::try_from(b.bytes.as_slice())
                            .ok()
                            .map(bson::Uuid::from_bytes),
                        _ => None,
                    };
                    let options = p.get_document("options").cloned().unwrap_or_default();
                    let c = self.ensure_collection_inner(db, coll, ui, options);
                    for spec in p
                        .get_array("indexes")
                        .map(|a| a.as_slice())
                        .unwrap_or_default()
                    {
                        if let Some(s) = spec.as_document() {
                            c.add_index(s.clone())
                                .map_err(|(n, k)| format!("duplicate key in index {n}: {k}"))?;
                        }
                    }
                }
                "docs" => {
                    let c = self.ensure_collection_inner(db, coll, None, Document::new());
                    for d in p
                        .get_array("docs")
                        .map(|a| a.as_slice())
                        .unwrap_or_default()
                    {
                        if let Some(d) = d.as_document() {
                            match d.get("_id").and_then(|id| c.find_id(id)) {
                                Some(rid) => c.replace(rid, d.clone()),
                                None => {
                                    c.insert(d.clone());
                                }
                            }
                        }
                    }
                }
                other => return Err(format!("unknown snapshot part '{other}'")),
            }
        }
        if let Ok(last) = header.get_document("last") {
            let op =
                OpTime::from_document(last).ok_or("snapshot's last oplog entry has no ts/t")?;
            let wall = last
                .get_datetime("wall")
                .copied()
                .unwrap_or_else(|_| bson::DateTime::now());
            if let Some(c) = self
                .dbs
                .get_mut("local")
                .and_then(|d| d.get_mut("oplog.rs"))
            {
                c.insert_at(pack_ts(op.ts), last.clone());
            }
            self.last_ts = op.ts;
            self.last_applied = op;
            self.last_wall = wall;
        } else {
            self.last_ts = bson::Timestamp {
                time: 0,
                increment: 0,
            };
            self.last_applied = OpTime::null();
        }
        // The journal cannot express "replace everything": persist a full snapshot now.
        if let Some(mut j) = self.journal.take() {
            j.compact(self);
            self.journal = Some(j);
        }
        Ok(())
    }
}
