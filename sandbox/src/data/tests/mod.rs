//! Store-level tests: commands end to end (reply shapes), oplog, persistence, initial sync.

mod bench;
mod catalog;
mod crud;
mod damage;
mod explain;
mod expr_eval;
mod indexes;
mod insert_parts;
mod oplog;
mod persist;
mod props;
mod update_ops;

use bson::{Bson, Document};

use super::{CmdOutcome, Store};
use crate::error::CmdError;

pub fn run(s: &Store, db: &str, cmd: Document) -> Document {
    match s.run(db, &cmd) {
        Ok(CmdOutcome { reply, .. }) => reply,
        Err(e) => panic!("{cmd} failed: {e}"),
    }
}

pub fn run_err(s: &Store, db: &str, cmd: Document) -> CmdError {
    match s.run(db, &cmd) {
        Ok(o) => panic!("{cmd} unexpectedly succeeded: {}", o.reply),
        Err(e) => e,
    }
}

pub fn first_batch(reply: &Document) -> Vec<Document> {
    batch(reply, "firstBatch")
}

pub fn batch(reply: &Document, key: &str) -> Vec<Document> {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_array(key))
        .map(|a| a.iter().filter_map(|d| d.as_document().cloned()).collect())
        .unwrap_or_default()
}

pub fn cursor_id(reply: &Document) -> i64 {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_i64("id"))
        .unwrap_or(-1)
}

pub fn ids(docs: &[Document]) -> Vec<Bson> {
    docs.iter()
        .map(|d| d.get("_id").cloned().unwrap_or(Bson::Null))
        .collect()
}
