//! `admin.system.users` for the auth module: user documents are ordinary data (written through
//! `Engine::commit`, so they replicate through the oplog and persist in the journal), but
//! clients may not write that namespace with insert/update/delete, so the auth module uses
//! these entry points instead.

use bson::{Bson, Document};

use super::cmd_write::{delete_one, insert_one, replace_one};
use super::{OpTime, Store};
use crate::error::CmdError;

const DB: &str = "admin";
const COLL: &str = "system.users";

impl Store {
    /// The user document with `_id` `id` ("<db>.<user>").
    pub fn system_user(&self, id: &str) -> Option<Document> {
        let e = self.lock();
        let c = e.coll(DB, COLL)?;
        let rid = c.find_id(&Bson::String(id.to_string()))?;
        c.get(rid).map(|d| d.as_ref().clone())
    }

    /// Every user document, ordered by `_id`.
    pub fn system_users(&self) -> Vec<Document> {
        let e = self.lock();
        let mut all: Vec<Document> = match e.coll(DB, COLL) {
            Some(c) => c.docs.values().map(|s| s.doc().as_ref().clone()).collect(),
            None => Vec::new(),
        };
        all.sort_by(|a, b| a.get_str("_id").ok().cmp(&b.get_str("_id").ok()));
        all
    }

    /// True when at least one user exists (closes the localhost exception).
    pub fn has_system_users(&self) -> bool {
        let e = self.lock();
        e.coll(DB, COLL).is_some_and(|c| c.count() > 0)
    }

    /// Inserts `doc` or replaces the document with the same `_id`.
    pub fn put_system_user(&self, doc: Document) -> Result<Option<OpTime>, CmdError> {
        let id = doc.get("_id").cloned().unwrap_or(Bson::Null);
        self.write(|e| {
            let existing = e.coll(DB, COLL).and_then(|c| c.find_id(&id));
            match existing {
                Some(rid) => replace_one(e, DB, COLL, rid, doc),
                None => insert_one(e, DB, COLL, doc),
            }
        })
    }

    /// Deletes the users with these `_id`s; returns how many existed and the last optime.
    pub fn delete_system_users(&self, ids: &[String]) -> Result<(usize, Option<OpTime>), CmdError> {
        self.write(|e| {
            let mut n = 0;
            let mut last = None;
            for id in ids {
                let id = Bson::String(id.clone());
                if e.coll(DB, COLL).and_then(|c| c.find_id(&id)).is_none() {
                    continue;
                }
                n += 1;
                if let Some(op) = delete_one(e, DB, COLL, id)? {
                    last = Some(op);
                }
            }
            Ok((n, last))
        })
    }

    /// A command as mongod prints it in "not authorized … to execute command { … }".
    pub fn format_command(cmd: &Document) -> String {
        super::fmt::document(cmd)
    }
}
