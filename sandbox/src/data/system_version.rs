//! `admin.system.version`'s feature compatibility version document, for setFeatureCompatibilityVersion
//! and getParameter. Ordinary data (replicated and persisted like any write) that clients may not
//! write themselves, as `admin.system.users`.

use bson::{doc, Bson, Document};

use super::cmd_write::{insert_one, replace_one};
use super::{OpTime, Store};
use crate::error::CmdError;

const DB: &str = "admin";
const COLL: &str = "system.version";
const FCV_ID: &str = "featureCompatibilityVersion";

impl Store {
    /// The stored FCV document (`{_id, version}`), if one was ever set.
    pub fn fcv_document(&self) -> Option<Document> {
        let e = self.lock();
        let c = e.coll(DB, COLL)?;
        let rid = c.find_id(&Bson::String(FCV_ID.to_string()))?;
        c.get(rid).map(|d| d.as_ref().clone())
    }

    /// Stores `version` as the FCV; the optime of the write.
    pub fn set_fcv(&self, version: &str) -> Result<Option<OpTime>, CmdError> {
        let d = doc! {"_id": FCV_ID, "version": version};
        self.write(|e| {
            let existing = e
                .coll(DB, COLL)
                .and_then(|c| c.find_id(&Bson::String(FCV_ID.to_string())));
            match existing {
                Some(rid) => replace_one(e, DB, COLL, rid, d),
                None => insert_one(e, DB, COLL, d),
            }
        })
    }
}
