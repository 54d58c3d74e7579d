//! `admin.system.users` and `admin.system.roles` for the auth module: user and role documents
//! are ordinary data (written through `Engine::commit`, so they replicate through the oplog and
//! persist in the journal), but clients may not write those namespaces with insert/update/
//! delete, so the auth module uses these entry points instead.

use bson::{Bson, Document};

use super::cmd_write::{delete_one, insert_one, replace_one};
use super::{OpTime, Store};
use crate::error::CmdError;

const DB: &str = "admin";
const COLL: &str = "system.users";
const ROLES: &str = "system.roles";

impl Store {
    /// The user document with `_id` `id` ("<db>.<user>").
    pub fn system_user(&self, id: &str) -> Option<Document> {
        self.system_doc(COLL, id)
    }

    /// Every user document, ordered by `_id`.
    pub fn system_users(&self) -> Vec<Document> {
        self.system_docs(COLL)
    }

    /// Inserts `doc` or replaces the user with the same `_id`.
    pub fn put_system_user(&self, doc: Document) -> Result<Option<OpTime>, CmdError> {
        self.put_system_doc(COLL, doc)
    }

    /// Deletes the users with these `_id`s; returns how many existed and the last optime.
    pub fn delete_system_users(&self, ids: &[String]) -> Result<(usize, Option<OpTime>), CmdError> {
        self.delete_system_docs(COLL, ids)
    }

    /// The user-defined role with `_id` `id` ("<db>.<role>").
    pub fn system_role(&self, id: &str) -> Option<Document> {
        self.system_doc(ROLES, id)
    }

    /// Every user-defined role, ordered by `_id`.
    pub fn system_roles(&self) -> Vec<Document> {
        self.system_docs(ROLES)
    }

    /// Inserts `doc` or replaces the role with the same `_id`.
    pub fn put_system_role(&self, doc: Document) -> Result<Option<OpTime>, CmdError> {
        self.put_system_doc(ROLES, doc)
    }

    /// Deletes the roles with these `_id`s; returns how many existed and the last optime.
    pub fn delete_system_roles(&self, ids: &[String]) -> Result<(usize, Option<OpTime>), CmdError> {
        self.delete_system_docs(ROLES, ids)
    }

    fn system_doc(&self, coll: &str, id: &str) -> Option<Document> {
        let e = self.lock();
        let c = e.coll(DB, coll)?;
        let rid = c.find_id(&Bson::String(id.to_string()))?;
        c.get(rid).map(|d| d.as_ref().clone())
    }

    fn system_docs(&self, coll: &str) -> Vec<Document> {
        let e = self.lock();
        let mut all: Vec<Document> = match e.coll(DB, coll) {
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

    fn put_system_doc(&self, coll: &str, doc: Document) -> Result<Option<OpTime>, CmdError> {
        let id = doc.get("_id").cloned().unwrap_or(Bson::Null);
        self.write(|e| {
            let existing = e.coll(DB, coll).and_then(|c| c.find_id(&id));
            match existing {
                Some(rid) => replace_one(e, DB, coll, rid, doc),
                None => insert_one(e, DB, coll, doc),
            }
        })
    }

    fn delete_system_docs(
        &self,
        coll: &str,
        ids: &[String],
    ) -> Result<(usize, Option<OpTime>), CmdError> {
        self.write(|e| {
            let mut n = 0;
            let mut last = None;
            for id in ids {
                let id = Bson::String(id.clone());
                if e.coll(DB, coll).and_then(|c| c.find_id(&id)).is_none() {
                    continue;
                }
                n += 1;
                if let Some(op) = delete_one(e, DB, coll, id)? {
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
