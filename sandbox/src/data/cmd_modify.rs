//! findAndModify: find one document (in sort order), then remove or update it (or upsert),
//! returning the old or new version. Retryable like the other writes.

use std::sync::Arc;

use bson::{doc, Bson, Document};

use super::cmd_write::{begin_retryable, delete_one, insert_one, update_one, upsert_document};
use super::commands::{bool_arg, coll_arg, doc_arg, ok};
use super::engine::Engine;
use super::matcher::Filter;
use super::projection::Projection;
use super::sessions::Executed;
use super::sort::{sort_docs, Sort};
use super::update::Update;
use super::CmdOutcome;
use crate::error::CmdError;

fn parse_err(msg: &str) -> CmdError {
    CmdError::new(9, "FailedToParse", msg)
}

struct Request {
    query: Document,
    /// `None`: remove the document.
    update: Option<Update>,
    new: bool,
    upsert: bool,
    projection: Option<Projection>,
}

impl Request {
    fn parse(cmd: &Document) -> Result<Request, CmdError> {
        let remove = bool_arg(cmd, "remove");
        let new = bool_arg(cmd, "new");
        let upsert = bool_arg(cmd, "upsert");
        let update = match cmd.get("update") {
            Some(u) => Some(Update::parse(u)?),
            None => None,
        };
        match (&update, remove) {
            (Some(_), true) => {
                return Err(parse_err("Cannot specify both an update and remove=true"))
            }
            (None, false) => {
                return Err(parse_err(
                    "Either an update or remove=true must be specified",
                ))
            }
            _ => {}
        }
        if remove && upsert {
            return Err(parse_err("Cannot specify both upsert=true and remove=true"));
        }
        if remove && new {
            return Err(parse_err(
                "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
            ));
        }
        let projection = match doc_arg(cmd, "findAndModify", "fields")? {
            Some(p) => Projection::parse_find(&p)?,
            None => None,
        };
        let query = doc_arg(cmd, "findAndModify", "query")?.unwrap_or_default();
        Ok(Request {
            query,
            update,
            new,
            upsert,
            projection,
        })
    }

    fn show(&self, d: &Document) -> Bson {
        match &self.projection {
            Some(p) => Bson::Document(p.apply(d)),
            None => Bson::Document(d.clone()),
        }
    }
}

pub fn find_and_modify(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let name = cmd.keys().next().cloned().unwrap_or_default();
    let coll = coll_arg(cmd, &name, db)?;
    let req = Request::parse(cmd)?;
    let filter = Filter::parse(&req.query)?;
    let mut found =
        super::cmd_read::matching_hinted(e, db, &coll, &filter, &req.query, cmd.get("hint"))?;
    if let Some(Some(Sort::Keys(keys))) = doc_arg(cmd, "findAndModify", "sort")?
        .map(|s| Sort::parse(&s))
        .transpose()?
    {
        // Ties go to the first document in natural order, whatever the plan.
        found.sort_by_key(|(rid, _)| *rid);
        let mut docs: Vec<_> = found.iter().map(|(_, d)| d.clone()).collect();
        sort_docs(&mut docs, &keys);
        if let Some(first) = docs.first() {
            let id = first.get("_id").cloned();
            found.retain(|(_, d)| d.get("_id") == id.as_ref());
        }
    }
    let ctx = begin_retryable(e, cmd)?;
    if let Some(ex) = ctx
        .as_ref()
        .and_then(|c| e.sessions.executed(c, 0))
        .cloned()
    {
        return Ok(retried_reply(e, db, &coll, &ex, &req));
    }
    e.stmt = ctx.map(|c| (c, 0));
    let out = modify(e, db, &coll, found.into_iter().next(), &req);
    e.stmt = None;
    out
}

/// The answer to a retried findAndModify that already ran: the document as it is now.
fn retried_reply(e: &Engine, db: &str, coll: &str, ex: &Executed, req: &Request) -> CmdOutcome {
    let current = e
        .coll(db, coll)
        .and_then(|c| c.find_id(&ex.id).and_then(|rid| c.get(rid)));
    let value = current.map_or(Bson::Null, |d| req.show(&d));
    let leo = match ex.op.as_str() {
        "i" => doc! {"n": 1, "updatedExisting": false, "upserted": ex.id.clone()},
        "u" => doc! {"n": 1, "updatedExisting": true},
        _ => doc! {"n": 1},
    };
    ok(doc! {"lastErrorObject": leo, "value": value}, None)
}

fn modify(
    e: &mut Engine,
    db: &str,
    coll: &str,
    target: Option<(u64, Arc<Document>)>,
    req: &Request,
) -> Result<CmdOutcome, CmdError> {
    let Some(update) = &req.update else {
        return Ok(match target {
            Some((_, d)) => {
                let op = delete_one(e, db, coll, d.get("_id").cloned().unwrap_or(Bson::Null))?;
                ok(
                    doc! {"lastErrorObject": {"n": 1}, "value": req.show(&d)},
                    op,
                )
            }
            None => ok(
                doc! {"lastErrorObject": {"n": 0}, "value": Bson::Null},
                None,
            ),
        });
    };
    match target {
        Some((rid, old)) => {
            let mut d = (*old).clone();
            update.apply(&mut d, false)?;
            let replacement = update.is_replacement();
            let op = update_one(e, (db, coll), rid, &old, d.clone(), replacement)?;
            let value = if req.new {
                req.show(&d)
            } else {
                req.show(&old)
            };
            Ok(ok(
                doc! {"lastErrorObject": {"n": 1, "updatedExisting": true}, "value": value},
                op,
            ))
        }
        None if req.upsert => {
            let d = upsert_document(&req.query, update)?;
            let id = d.get("_id").cloned().unwrap_or(Bson::Null);
            let op = insert_one(e, db, coll, d.clone())?;
            let value = if req.new { req.show(&d) } else { Bson::Null };
            Ok(ok(
                doc! {"lastErrorObject": {"n": 1, "updatedExisting": false, "upserted": id}, "value": value},
                op,
            ))
        }
        None => Ok(ok(
            doc! {"lastErrorObject": {"n": 0, "updatedExisting": false}, "value": Bson::Null},
            None,
        )),
    }
}
