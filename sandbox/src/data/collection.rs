//! One collection: documents in natural (insertion) order keyed by a record id, the unique `_id`
//! index, recorded secondary indexes (unique ones enforced) and the capped-size bookkeeping.

use std::collections::BTreeMap;
use std::sync::Arc;

use bson::{doc, Bson, Document};

use super::compare::Key;
use super::path;

/// A stored document with its BSON size (kept so batches and stats never re-serialize).
#[derive(Debug, Clone)]
pub struct Stored {
    body: Body,
    pub size: u32,
}

/// Parsed documents serve queries without re-parsing; the oplog keeps its entries as BSON bytes,
/// a tenth of the memory (a parsed entry costs ~3 KB), parsed only when read.
#[derive(Debug, Clone)]
enum Body {
    Parsed(Arc<Document>),
    Bytes(Arc<[u8]>),
}

impl Stored {
    fn new(doc: Document, as_bytes: bool) -> Stored {
        let buf = bson_bytes(&doc);
        let size = buf.len() as u32;
        let body = if size > 0 && (as_bytes || super::footprint::keep_as_bytes(&doc, size)) {
            Body::Bytes(buf.into())
        } else {
            Body::Parsed(Arc::new(doc))
        };
        Stored { body, size }
    }

    /// The document (shared when parsed, decoded from its bytes otherwise).
    pub fn doc(&self) -> Arc<Document> {
        match &self.body {
            Body::Parsed(d) => Arc::clone(d),
            Body::Bytes(b) => Arc::new(Document::from_reader(&b[..]).unwrap_or_default()),
        }
    }
}

/// A unique secondary index: key tuple → record id.
#[derive(Debug, Clone)]
pub struct UniqueIndex {
    pub name: String,
    pub fields: Vec<String>,
    pub map: BTreeMap<Vec<Key>, u64>,
    /// A sparse index leaves out documents that have none of its fields.
    pub sparse: bool,
}

impl UniqueIndex {
    /// The index key of `doc`, or `None` when a sparse index skips it.
    pub fn key(&self, doc: &Document) -> Option<Vec<Key>> {
        key_for(doc, &self.fields, self.sparse)
    }
}

fn key_for(doc: &Document, fields: &[String], sparse: bool) -> Option<Vec<Key>> {
    if sparse && fields.iter().all(|f| path::lookup_first(doc, f).is_none()) {
        return None;
    }
    Some(index_key(doc, fields))
}

#[derive(Debug, Clone)]
pub struct Collection {
    /// Documents kept as BSON bytes (collections without an `_id` index: the oplog).
    bytes_storage: bool,
    pub uuid: bson::Uuid,
    /// Creation options as given to `create` (capped, size, max, ...).
    pub options: Document,
    pub docs: BTreeMap<u64, Stored>,
    pub next_id: u64,
    /// `None` for collections without an `_id` index (the oplog).
    pub id_index: Option<BTreeMap<Key, u64>>,
    /// Index specs other than `_id_`, in creation order (`{v, key, name, ...}`).
    pub indexes: Vec<Document>,
    pub unique: Vec<UniqueIndex>,
    /// Scannable indexes (unique ones too) kept for query planning, in creation order.
    pub secondary: Vec<super::secondary::SecIndex>,
    pub data_size: u64,
    /// Capped size in bytes.
    pub capped_max: Option<u64>,
    /// Capped document count limit (`max`).
    pub capped_max_docs: Option<u64>,
}

/// `d` serialized. Serializing a well-formed in-memory document cannot fail; a failure gives no
/// bytes (size 0).
fn bson_bytes(d: &Document) -> Vec<u8> {
    let mut buf = Vec::new();
    if d.to_writer(&mut buf).is_err() {
        buf.clear();
    }
    buf
}

pub fn bson_size(d: &Document) -> u32 {
    bson_bytes(d).len() as u32
}

/// The key tuple of `doc` for an index on `fields` (missing fields index as null).
pub fn index_key(doc: &Document, fields: &[String]) -> Vec<Key> {
    fields
        .iter()
        .map(|f| Key(path::lookup_first(doc, f).cloned().unwrap_or(Bson::Null)))
        .collect()
}

/// The field names of an index spec's `key`.
pub fn spec_fields(spec: &Document) -> Vec<String> {
    spec.get_document("key")
        .map(|k| k.keys().cloned().collect())
        .unwrap_or_default()
}

impl Collection {
    pub fn new(uuid: bson::Uuid, options: Document, with_id_index: bool) -> Collection {
        let capped = matches!(options.get("capped"), Some(Bson::Boolean(true)));
        let capped_max = if capped {
            options
                .get("size")
                .and_then(super::compare::to_f64)
                .map(|v| v.max(0.0) as u64)
        } else {
            None
        };
        let capped_max_docs = if capped {
            options
                .get("max")
                .and_then(super::compare::to_f64)
                .filter(|v| *v > 0.0)
                .map(|v| v as u64)
        } else {
            None
        };
        Collection {
            bytes_storage: !with_id_index,
            uuid,
            options,
            docs: BTreeMap::new(),
            next_id: 1,
            id_index: if with_id_index {
                Some(BTreeMap::new())
            } else {
                None
            },
            indexes: Vec::new(),
            unique: Vec::new(),
            secondary: Vec::new(),
            data_size: 0,
            capped_max,
            capped_max_docs,
        }
    }

    pub fn is_capped(&self) -> bool {
        self.capped_max.is_some()
    }

    pub fn count(&self) -> u64 {
        self.docs.len() as u64
    }

    /// Record id of the document whose `_id` equals `id`.
    pub fn find_id(&self, id: &Bson) -> Option<u64> {
        match &self.id_index {
            Some(ix) => ix.get(&Key(id.clone())).copied(),
            None => self
                .docs
                .iter()
                .find(|(_, s)| {
                    s.doc()
                        .get("_id")
                        .is_some_and(|v| super::compare::bson_eq(v, id))
                })
                .map(|(k, _)| *k),
        }
    }

    pub fn get(&self, rid: u64) -> Option<Arc<Document>> {
        self.docs.get(&rid).map(Stored::doc)
    }

    /// The name of a unique index `doc` would violate (ignoring record `except`), with the key.
    pub fn unique_violation(
        &self,
        doc: &Document,
        except: Option<u64>,
    ) -> Option<(String, Document)> {
        if let (Some(ix), Some(id)) = (&self.id_index, doc.get("_id")) {
            if let Some(rid) = ix.get(&Key(id.clone())) {
                if Some(*rid) != except {
                    return Some(("_id_".to_string(), doc! {"_id": id.clone()}));
                }
            }
        }
        for u in &self.unique {
            let Some(key) = u.key(doc) else { continue };
            if let Some(rid) = u.map.get(&key) {
                if Some(*rid) != except {
                    let mut kd = Document::new();
                    for (f, k) in u.fields.iter().zip(key.iter()) {
                        kd.insert(f.clone(), k.0.clone());
                    }
                    return Some((u.name.clone(), kd));
                }
            }
        }
        None
    }

    /// Appends a document (uniqueness already checked by the caller); returns its record id.
    pub fn insert(&mut self, doc: Document) -> u64 {
        let rid = self.next_id;
        self.insert_at(rid, doc);
        rid
    }

    /// Inserts at an explicit record id (the oplog uses packed timestamps as ids).
    pub fn insert_at(&mut self, rid: u64, doc: Document) {
        self.next_id = self.next_id.max(rid + 1);
        self.index_add(rid, &doc);
        let stored = Stored::new(doc, self.bytes_storage);
        self.data_size += u64::from(stored.size);
        self.docs.insert(rid, stored);
        self.trim_capped();
    }

    pub fn replace(&mut self, rid: u64, doc: Document) {
        if let Some(old) = self.docs.remove(&rid) {
            self.data_size -= u64::from(old.size);
            self.index_remove(rid, &old.doc());
        }
        self.index_add(rid, &doc);
        let stored = Stored::new(doc, self.bytes_storage);
        self.data_size += u64::from(stored.size);
        self.docs.insert(rid, stored);
    }

    pub fn remove(&mut self, rid: u64) -> Option<Arc<Document>> {
        let old = self.docs.remove(&rid)?;
        self.data_size -= u64::from(old.size);
        let doc = old.doc();
        self.index_remove(rid, &doc);
        Some(doc)
    }

    fn index_add(&mut self, rid: u64, doc: &Document) {
        if let (Some(ix), Some(id)) = (&mut self.id_index, doc.get("_id")) {
            ix.insert(Key(id.clone()), rid);
        }
        for u in &mut self.unique {
            if let Some(k) = u.key(doc) {
                u.map.insert(k, rid);
            }
        }
        for s in &mut self.secondary {
            s.add(rid, doc);
        }
    }

    fn index_remove(&mut self, rid: u64, doc: &Document) {
        if let (Some(ix), Some(id)) = (&mut self.id_index, doc.get("_id")) {
            let k = Key(id.clone());
            if ix.get(&k) == Some(&rid) {
                ix.remove(&k);
            }
        }
        for u in &mut self.unique {
            let Some(k) = u.key(doc) else { continue };
            if u.map.get(&k) == Some(&rid) {
                u.map.remove(&k);
            }
        }
        for s in &mut self.secondary {
            s.remove(rid, doc);
        }
    }

    /// Drops the oldest documents while the capped collection is over its size or count.
    fn trim_capped(&mut self) {
        let Some(max) = self.capped_max else { return };
        while self.docs.len() > 1
            && (self.data_size > max
                || self
                    .capped_max_docs
                    .is_some_and(|m| self.docs.len() as u64 > m))
        {
            let Some((&rid, _)) = self.docs.iter().next() else {
                break;
            };
            self.remove(rid);
        }
    }

    /// The first duplicated key (as `{field: value}`) among the documents for `fields`.
    pub fn duplicate_on(&self, fields: &[String], sparse: bool) -> Option<Document> {
        let mut seen = std::collections::BTreeSet::new();
        for s in self.docs.values() {
            let Some(key) = key_for(&s.doc(), fields, sparse) else {
                continue;
            };
            if seen.contains(&key) {
                let mut kd = Document::new();
                for (f, k) in fields.iter().zip(key.iter()) {
                    kd.insert(f.clone(), k.0.clone());
                }
                return Some(kd);
            }
            seen.insert(key);
        }
        None
    }

    /// Adds an index spec; a unique one is built now and fails on existing duplicates.
    pub fn add_index(&mut self, spec: Document) -> Result<(), (String, Document)> {
        let name = spec.get_str("name").unwrap_or_default().to_string();
        if matches!(spec.get("unique"), Some(Bson::Boolean(true))) {
            let fields = spec_fields(&spec);
            let sparse = spec.get("sparse").is_some_and(super::matcher::truthy);
            if let Some(kd) = self.duplicate_on(&fields, sparse) {
                return Err((name, kd));
            }
            let map = self
                .docs
                .iter()
                .filter_map(|(rid, s)| key_for(&s.doc(), &fields, sparse).map(|k| (k, *rid)))
                .collect();
            self.unique.push(UniqueIndex {
                name,
                fields,
                map,
                sparse,
            });
        }
        if let Some(mut ix) = super::secondary::SecIndex::from_spec(&spec) {
            for (rid, s) in &self.docs {
                ix.add(*rid, &s.doc());
            }
            self.secondary.push(ix);
        }
        self.indexes.push(spec);
        Ok(())
    }

    pub fn drop_index(&mut self, name: &str) -> bool {
        let before = self.indexes.len();
        self.indexes
            .retain(|s| s.get_str("name").ok() != Some(name));
        self.unique.retain(|u| u.name != name);
        self.secondary.retain(|u| u.name != name);
        self.indexes.len() != before
    }

    /// listIndexes entries: `_id_` first (when present), then the others.
    pub fn index_specs(&self) -> Vec<Document> {
        let mut out = Vec::new();
        if self.id_index.is_some() {
            out.push(doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"});
        }
        out.extend(self.indexes.iter().cloned());
        out
    }

    /// Estimated size in bytes of each index, listIndexes order: a page plus its keys (`_id_`
    /// counts ~16 bytes a document; indexes the sandbox does not scan count one page).
    pub fn index_sizes(&self) -> Vec<(String, i64)> {
        self.index_specs()
            .iter()
            .map(|spec| {
                let name = spec.get_str("name").unwrap_or_default().to_string();
                let size = if name == "_id_" {
                    4096 + 16 * self.count()
                } else {
                    self.secondary
                        .iter()
                        .find(|s| s.name == name)
                        .map_or(4096, |s| s.size_estimate())
                };
                (name, size as i64)
            })
            .collect()
    }

    pub fn clear(&mut self) {
        let fresh = Collection::new(self.uuid, self.options.clone(), self.id_index.is_some());
        let indexes = std::mem::take(&mut self.indexes);
        *self = fresh;
        for spec in indexes {
            // Rebuilding on an empty collection cannot hit a duplicate.
            let _ = self.add_index(spec);
        }
    }
}
