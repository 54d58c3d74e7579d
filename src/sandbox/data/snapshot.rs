//! Initial sync: export every non-`local` collection plus the newest oplog entry as a list of
//! parts, and import such a list in place of the current data.

use bson::{doc, Bson, Document};

use super::engine::{split_ns, Engine};
use super::optime::{pack_ts, OpTime};

const CHUNK_BYTES: u64 = 4 * 1024 * 1024;

impl Engine {
    pub fn export_snapshot(&self) -> Vec<Document> {
        let last = self
            .oplog()
            .and_then(|c| c.docs.values().next_back())
            .map(|s| Bson::Document((*s.doc()).clone()));
        let mut parts = vec![doc! {"kind": "header", "last": last.unwrap_or(Bson::Null)}];
        for (db, colls) in self.dbs.iter().filter(|(db, _)| db.as_str() != "local") {
            for (name, c) in colls {
                let ns = format!("{db}.{name}");
                let indexes: Vec<Bson> = c.indexes.iter().cloned().map(Bson::Document).collect();
                parts.push(doc! {"kind": "coll", "ns": &ns, "ui": c.uuid, "options": c.options.clone(), "indexes": indexes});
                let mut docs = Vec::new();
                let mut bytes = 0u64;
                for s in c.docs.values() {
                    if bytes + u64::from(s.size) > CHUNK_BYTES && !docs.is_empty() {
                        parts.push(
                            doc! {"kind": "docs", "ns": &ns, "docs": std::mem::take(&mut docs)},
                        );
                        bytes = 0;
                    }
                    bytes += u64::from(s.size);
                    docs.push(Bson::Document((*s.doc()).clone()));
                }
                if !docs.is_empty() {
                    parts.push(doc! {"kind": "docs", "ns": &ns, "docs": docs});
                }
            }
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
