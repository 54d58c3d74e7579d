//! findAndModify: find one document (in sort order), then remove or update it (or upsert),
//! returning the old or new version.

use bson::{doc, Bson, Document};

use super::cmd_write::{delete_one, insert_one, replace_one, upsert_document};
use super::commands::{bool_arg, coll_arg, doc_arg, ok};
use super::engine::Engine;
use super::matcher::Filter;
use super::projection::Projection;
use super::sort::{sort_docs, Sort};
use super::update::Update;
use super::CmdOutcome;
use crate::sandbox::error::CmdError;

fn parse_err(msg: &str) -> CmdError {
    CmdError::new(9, "FailedToParse", msg)
}

pub fn find_and_modify(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let name = cmd.keys().next().cloned().unwrap_or_default();
    let coll = coll_arg(cmd, &name, db)?;
    let query = doc_arg(cmd, "findAndModify", "query")?.unwrap_or_default();
    let remove = bool_arg(cmd, "remove");
    let new = bool_arg(cmd, "new");
    let upsert = bool_arg(cmd, "upsert");
    let update = match cmd.get("update") {
        Some(u) => Some(Update::parse(u)?),
        None => None,
    };
    match (&update, remove) {
        (Some(_), true) => return Err(parse_err("Cannot specify both an update and remove=true")),
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
        return Err(parse_err("Cannot specify both new=true and remove=true; 'remove' always returns the deleted document"));
    }
    let projection = match doc_arg(cmd, "findAndModify", "fields")? {
        Some(p) => Projection::parse(&p)?,
        None => None,
    };
    let filter = Filter::parse(&query)?;
    let mut found = super::cmd_read::matching(e, db, &coll, &filter);
    if let Some(Some(Sort::Keys(keys))) = doc_arg(cmd, "findAndModify", "sort")?
        .map(|s| Sort::parse(&s))
        .transpose()?
    {
        let mut docs: Vec<_> = found.iter().map(|(_, d)| d.clone()).collect();
        sort_docs(&mut docs, &keys);
        if let Some(first) = docs.first() {
            let id = first.get("_id").cloned();
            found.retain(|(_, d)| d.get("_id") == id.as_ref());
        }
    }
    let target = found.into_iter().next();
    let show = |d: &Document| -> Bson {
        match &projection {
            Some(p) => Bson::Document(p.apply(d)),
            None => Bson::Document(d.clone()),
        }
    };
    if remove {
        return Ok(match target {
            Some((_, d)) => {
                let op = delete_one(e, db, &coll, d.get("_id").cloned().unwrap_or(Bson::Null))?;
                ok(doc! {"lastErrorObject": {"n": 1}, "value": show(&d)}, op)
            }
            None => ok(
                doc! {"lastErrorObject": {"n": 0}, "value": Bson::Null},
                None,
            ),
        });
    }
    let Some(update) = update else {
        return Err(parse_err(
            "Either an update or remove=true must be specified",
        ));
    };
    match target {
        Some((rid, old)) => {
            let mut d = (*old).clone();
            update.apply(&mut d, false)?;
            let op = replace_one(e, db, &coll, rid, d.clone())?;
            let value = if new { show(&d) } else { show(&old) };
            Ok(ok(
                doc! {"lastErrorObject": {"n": 1, "updatedExisting": true}, "value": value},
                op,
            ))
        }
        None if upsert => {
            let d = upsert_document(&query, &update)?;
            let id = d.get("_id").cloned().unwrap_or(Bson::Null);
            let op = insert_one(e, db, &coll, d.clone())?;
            let value = if new { show(&d) } else { Bson::Null };
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
