//! Writes through the driver's CRUD API, so retryable writes apply (one automatic retry on a
//! new primary after a failover). Results come back as a legacy `WriteResult`-shaped document:
//! `nInserted` / `nMatched`, `nUpserted`, `nModified`, `_id` / `nRemoved`, plus `writeError`
//! and `writeConcernError` sub-documents when the server reported them.

use mongodb::bson::{doc, Bson, Document};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::UpdateModifications;

use super::error::{classify, is_not_primary_code, ConnError, ErrClass};
use super::Connection;

/// Await a driver action in the explicit session when there is one (its lsid and, for a
/// retryable write, its txnNumber), else in the driver's implicit session.
macro_rules! in_session {
    ($session:expr, $action:expr) => {
        match $session {
            Some(s) => {
                let mut guard = s.lock().await;
                $action.session(&mut guard.session).await
            }
            None => $action.await,
        }
    };
}

fn err_doc(code: i32, msg: &str) -> Document {
    doc! {"code": code, "errmsg": msg}
}

impl Connection {
    /// Shared error handling: write errors become fields of the result, a command error (e.g.
    /// "not primary" on a direct connection) is `ConnError::Server(reply)`.
    fn write_error(
        &self,
        e: mongodb::error::Error,
        command: &str,
        mut result: Document,
    ) -> Result<Document, ConnError> {
        match e.kind.as_ref() {
            ErrorKind::Write(WriteFailure::WriteError(we)) => {
                result.insert("writeError", err_doc(we.code, &we.message));
                Ok(result)
            }
            ErrorKind::Write(WriteFailure::WriteConcernError(wc)) => {
                result.insert("writeConcernError", err_doc(wc.code, &wc.message));
                Ok(result)
            }
            _ => match classify(&e) {
                ErrClass::Command { code, reply } => {
                    if self.is_replica_set() && is_not_primary_code(code) {
                        Err(ConnError::PrimaryChanged {
                            command: command.to_string(),
                        })
                    } else {
                        Err(ConnError::Server(reply))
                    }
                }
                other => Err(self.map_failure(other, command, true)),
            },
        }
    }

    /// `insert`: every document must already carry its `_id` (the shell adds ObjectIds), so a
    /// retried insert cannot create duplicates.
    pub fn insert(
        &self,
        db: &str,
        coll: &str,
        docs: Vec<Document>,
        ordered: bool,
    ) -> Result<Document, ConnError> {
        let n = docs.len();
        let c = self
            .main_client()?
            .database(db)
            .collection::<Document>(coll);
        let session = self.session_for(&super::Target::Primary)?;
        let r = self.wait_primary(true, async move {
            in_session!(&session, c.insert_many(docs).ordered(ordered))
        })?;
        match r {
            Ok(res) => Ok(doc! {"nInserted": res.inserted_ids.len() as i32}),
            Err(e) => {
                if let ErrorKind::InsertMany(im) = e.kind.as_ref() {
                    let errors = im.write_errors.clone().unwrap_or_default();
                    let inserted = if ordered {
                        errors.iter().map(|w| w.index).min().unwrap_or(n)
                    } else {
                        n.saturating_sub(errors.len())
                    };
                    let mut result = doc! {"nInserted": inserted as i32};
                    if let Some(first) = errors.first() {
                        result.insert("writeError", err_doc(first.code, &first.message));
                    }
                    if let Some(wc) = &im.write_concern_error {
                        result.insert("writeConcernError", err_doc(wc.code, &wc.message));
                    }
                    if !errors.is_empty() {
                        let all: Vec<Bson> = errors
                            .iter()
                            .map(|w| Bson::Document(doc! {"index": w.index as i32, "code": w.code, "errmsg": w.message.clone()}))
                            .collect();
                        result.insert("writeErrors", all);
                    }
                    return Ok(result);
                }
                self.write_error(e, "insert", doc! {"nInserted": 0_i32})
            }
        }
    }

    /// `update`: `u` is an update document (`$set`…), a pipeline (array) or a replacement.
    pub fn update(
        &self,
        db: &str,
        coll: &str,
        query: Document,
        u: Bson,
        multi: bool,
        upsert: bool,
    ) -> Result<Document, ConnError> {
        let c = self
            .main_client()?
            .database(db)
            .collection::<Document>(coll);
        let replacement = match &u {
            Bson::Document(d) => !d.keys().any(|k| k.starts_with('$')),
            _ => false,
        };
        let session = self.session_for(&super::Target::Primary)?;
        let r = self.wait_primary(true, async move {
            match u {
                Bson::Document(d) if replacement => {
                    in_session!(&session, c.replace_one(query, d).upsert(upsert))
                }
                Bson::Document(d) if multi => in_session!(
                    &session,
                    c.update_many(query, UpdateModifications::Document(d))
                        .upsert(upsert)
                ),
                Bson::Document(d) => in_session!(
                    &session,
                    c.update_one(query, UpdateModifications::Document(d))
                        .upsert(upsert)
                ),
                Bson::Array(a) => {
                    let mut stages = Vec::new();
                    for s in a {
                        if let Bson::Document(d) = s {
                            stages.push(d);
                        }
                    }
                    if multi {
                        in_session!(
                            &session,
                            c.update_many(query, UpdateModifications::Pipeline(stages))
                                .upsert(upsert)
                        )
                    } else {
                        in_session!(
                            &session,
                            c.update_one(query, UpdateModifications::Pipeline(stages))
                                .upsert(upsert)
                        )
                    }
                }
                _ => Err(mongodb::error::Error::custom(
                    "update must be a document or an array",
                )),
            }
        })?;
        match r {
            Ok(res) => {
                let upserted = res.upserted_id.is_some();
                let mut d = doc! {
                    "nMatched": if upserted { 0 } else { res.matched_count as i32 },
                    "nUpserted": i32::from(upserted),
                    "nModified": res.modified_count as i32,
                };
                if let Some(id) = res.upserted_id {
                    d.insert("_id", id);
                }
                Ok(d)
            }
            Err(e) if e.get_custom::<&str>().is_some() => Err(ConnError::Usage(
                "update must be a document or an array".into(),
            )),
            Err(e) => self.write_error(
                e,
                "update",
                doc! {"nMatched": 0_i32, "nUpserted": 0_i32, "nModified": 0_i32},
            ),
        }
    }

    /// `remove` / `deleteOne` / `deleteMany`.
    pub fn delete(
        &self,
        db: &str,
        coll: &str,
        query: Document,
        just_one: bool,
    ) -> Result<Document, ConnError> {
        let c = self
            .main_client()?
            .database(db)
            .collection::<Document>(coll);
        let session = self.session_for(&super::Target::Primary)?;
        let r = self.wait_primary(true, async move {
            if just_one {
                in_session!(&session, c.delete_one(query))
            } else {
                in_session!(&session, c.delete_many(query))
            }
        })?;
        match r {
            Ok(res) => Ok(doc! {"nRemoved": res.deleted_count as i32}),
            Err(e) => self.write_error(e, "delete", doc! {"nRemoved": 0_i32}),
        }
    }
}
