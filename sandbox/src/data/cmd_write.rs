//! insert, update, delete: per-statement write errors, ordered/unordered, upserts.
//! Each change is committed as its own oplog entry (see `Engine::commit`).

use bson::{doc, oid::ObjectId, Bson, Document};

use super::commands::{bool_arg, coll_arg, ok};
use super::engine::Engine;
use super::matcher::Filter;
use super::sessions::{txn_ctx, Executed, TxnCtx};
use super::update::{upsert_seed, Update};
use super::{fmt, CmdOutcome, OpTime};
use crate::error::CmdError;

/// A duplicate-key failure: the error for `db.coll` naming the index and key.
pub fn dup_key_error(e: &Engine, db: &str, coll: &str, index: &str, key: &Document) -> CmdError {
    let pattern = e
        .coll(db, coll)
        .and_then(|c| {
            c.index_specs()
                .into_iter()
                .find(|s| s.get_str("name") == Ok(index))
        })
        .and_then(|s| s.get_document("key").ok().cloned())
        .unwrap_or_else(|| doc! {"_id": 1});
    CmdError::new(
        11000,
        "DuplicateKey",
        format!(
            "E11000 duplicate key error collection: {db}.{coll} index: {index} dup key: {}",
            fmt::document(key)
        ),
    )
    .with_extra(doc! {"keyPattern": pattern, "keyValue": key.clone()})
}

/// `{index, code, [keyPattern, keyValue], errmsg}` as in a reply's writeErrors.
pub fn write_error(index: usize, err: &CmdError) -> Bson {
    let mut d = doc! {"index": index as i32, "code": err.code};
    for (k, v) in err.extra.iter().flat_map(|d| d.iter()) {
        d.insert(k.clone(), v.clone());
    }
    d.insert("errmsg", err.errmsg.clone());
    Bson::Document(d)
}

/// `doc` with an `_id` (a new ObjectId when missing) as its first field.
pub fn with_id_first(d: &Document) -> Result<Document, CmdError> {
    let id = d
        .get("_id")
        .cloned()
        .unwrap_or_else(|| Bson::ObjectId(ObjectId::new()));
    match &id {
        Bson::Array(_) => return Err(CmdError::new(2, "BadValue", "can't use an array for _id")),
        Bson::RegularExpression(_) => {
            return Err(CmdError::new(2, "BadValue", "can't use a regex for _id"))
        }
        Bson::Undefined => {
            return Err(CmdError::new(
                2,
                "BadValue",
                "can't use a undefined for _id",
            ))
        }
        _ => {}
    }
    let mut out = Document::new();
    out.insert("_id", id);
    for (k, v) in d {
        if k != "_id" {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// An inserted document's top-level empty timestamps (`Timestamp(0, 0)`, not `_id`) become
/// the insert's own timestamp, as mongod fills them.
fn fill_timestamps(e: &Engine, mut d: Document) -> Document {
    let empty = bson::Timestamp {
        time: 0,
        increment: 0,
    };
    let now = super::optime::next_ts(e.last_ts);
    for (k, v) in d.iter_mut() {
        if k != "_id" && *v == Bson::Timestamp(empty) {
            *v = Bson::Timestamp(now);
        }
    }
    d
}

fn reject_system_writes(db: &str, coll: &str) -> Result<(), CmdError> {
    if (db == "local" && coll == "oplog.rs") || coll.starts_with("system.") {
        return Err(CmdError::new(
            73,
            "InvalidNamespace",
            format!("cannot write to '{db}.{coll}'"),
        ));
    }
    Ok(())
}

const MAX_BSON: u32 = 16 * 1024 * 1024;

/// Inserts one prepared document (with `_id`), checking its size and unique indexes.
pub fn insert_one(
    e: &mut Engine,
    db: &str,
    coll: &str,
    d: Document,
) -> Result<Option<OpTime>, CmdError> {
    let size = super::collection::bson_size(&d);
    if size > MAX_BSON {
        return Err(CmdError::new(
            10334,
            "BSONObjectTooLarge",
            format!("object to insert too large. size in bytes: {size}, max size: {MAX_BSON}"),
        ));
    }
    super::depth::check_insert(&d)?;
    let mut last = e.ensure_collection(db, coll)?;
    let c = e
        .coll(db, coll)
        .ok_or_else(|| CmdError::new(1, "InternalError", "collection vanished"))?;
    e.validate_write(db, coll, &d, None)?;
    if let Some((index, key)) = c.unique_violation(&d, None) {
        return Err(dup_key_error(e, db, coll, &index, &key));
    }
    let ui = c.uuid;
    if let Some(op) = e
        .commit("i", format!("{db}.{coll}"), Some(ui), d, None)
        .map_err(internal)?
    {
        last = Some(op);
    }
    Ok(last)
}

/// Replaces record `rid` (`old`) with `new`, the result of an update; an operator update records
/// what it changed for change streams (`updateDescription`), a replacement does not.
pub fn update_one(
    e: &mut Engine,
    (db, coll): (&str, &str),
    rid: u64,
    old: &Document,
    new: Document,
    replacement: bool,
) -> Result<Option<OpTime>, CmdError> {
    let described = (!replacement).then(|| super::change_diff::update_description(old, &new));
    replace_described(e, db, coll, rid, new, described)
}

/// Replaces record `rid` with `new` (already updated), checking unique indexes.
pub fn replace_one(
    e: &mut Engine,
    db: &str,
    coll: &str,
    rid: u64,
    new: Document,
) -> Result<Option<OpTime>, CmdError> {
    replace_described(e, db, coll, rid, new, None)
}

fn replace_described(
    e: &mut Engine,
    db: &str,
    coll: &str,
    rid: u64,
    new: Document,
    described: Option<Document>,
) -> Result<Option<OpTime>, CmdError> {
    if super::collection::bson_size(&new) > MAX_BSON {
        return Err(CmdError::new(
            17419,
            "Location17419",
            format!("Resulting document after update is larger than {MAX_BSON}"),
        ));
    }
    super::depth::check_update(&new)?;
    let c = e
        .coll(db, coll)
        .ok_or_else(|| CmdError::new(1, "InternalError", "collection vanished"))?;
    e.validate_write(db, coll, &new, c.get(rid).as_deref())?;
    if let Some((index, key)) = c.unique_violation(&new, Some(rid)) {
        return Err(dup_key_error(e, db, coll, &index, &key));
    }
    let id = new.get("_id").cloned().unwrap_or(Bson::Null);
    let ui = c.uuid;
    let mut o2 = doc! {"_id": id};
    if let Some(d) = described {
        o2.insert(super::change_diff::DIFF_FIELD, d);
    }
    e.commit("u", format!("{db}.{coll}"), Some(ui), new, Some(o2))
        .map_err(internal)
}

pub fn delete_one(
    e: &mut Engine,
    db: &str,
    coll: &str,
    id: Bson,
) -> Result<Option<OpTime>, CmdError> {
    let ui = e.coll(db, coll).map(|c| c.uuid);
    e.commit("d", format!("{db}.{coll}"), ui, doc! {"_id": id}, None)
        .map_err(internal)
}

pub fn internal(msg: String) -> CmdError {
    CmdError::new(1, "InternalError", msg)
}

/// A statement's result, or the record of its earlier execution when this is a retry.
pub enum Stmt<T> {
    Ran(T),
    Retried(Executed),
}

/// The retry context of a write command, registered on its session.
pub fn begin_retryable(e: &mut Engine, cmd: &Document) -> Result<Option<TxnCtx>, CmdError> {
    let ctx = txn_ctx(cmd);
    if let Some(c) = &ctx {
        e.sessions.begin(c)?;
    }
    Ok(ctx)
}

/// Runs statement `i` unless a retried command already executed it.
pub fn statement<T>(
    e: &mut Engine,
    ctx: Option<&TxnCtx>,
    i: usize,
    f: impl FnOnce(&mut Engine) -> Result<T, CmdError>,
) -> Result<Stmt<T>, CmdError> {
    if let Some(c) = ctx {
        if let Some(ex) = e.sessions.executed(c, i as i32) {
            return Ok(Stmt::Retried(ex.clone()));
        }
        e.stmt = Some((c.clone(), i as i32));
    }
    let r = f(e);
    e.stmt = None;
    r.map(Stmt::Ran)
}

fn statements<'a>(
    cmd: &'a Document,
    cmd_name: &str,
    field: &str,
) -> Result<&'a Vec<Bson>, CmdError> {
    match cmd.get(field) {
        Some(Bson::Array(a)) => Ok(a),
        Some(other) => Err(CmdError::type_mismatch(format!(
            "BSON field '{cmd_name}.{field}' is the wrong type '{}', expected type 'array'",
            super::docpath::bson_type_name(other)
        ))),
        None => Err(CmdError::new(
            40414,
            "Location40414",
            format!("BSON field '{cmd_name}.{field}' is missing but a required field"),
        )),
    }
}

fn finish(mut reply: Document, errors: Vec<Bson>, last: Option<OpTime>) -> CmdOutcome {
    if !errors.is_empty() {
        reply.insert("writeErrors", errors);
    }
    ok(reply, last)
}

fn max_optime(a: Option<OpTime>, b: Option<OpTime>) -> Option<OpTime> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

pub fn insert(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "insert", db)?;
    reject_system_writes(db, &coll)?;
    let docs = statements(cmd, "insert", "documents")?;
    let ordered = cmd.get("ordered").is_none_or(super::matcher::truthy);
    let ctx = begin_retryable(e, cmd)?;
    let (mut n, mut errors, mut last) = (0i32, Vec::new(), None);
    // A part of a large insert (see `Store::run`) writes its own statements, numbered as in the
    // whole command (write error indexes, retryable statement ids).
    let (start, count) = e.insert_window.unwrap_or((0, docs.len()));
    for (i, d) in docs.iter().enumerate().skip(start).take(count) {
        let res = statement(e, ctx.as_ref(), i, |e| match d {
            Bson::Document(d) => with_id_first(d)
                .map(|d| fill_timestamps(e, d))
                .and_then(|d| insert_one(e, db, &coll, d)),
            _ => Err(CmdError::type_mismatch(
                "BSON field 'insert.documents' is the wrong type, expected type 'object'",
            )),
        });
        match res {
            Ok(Stmt::Retried(_)) => n += 1,
            Ok(Stmt::Ran(op)) => {
                n += 1;
                last = max_optime(last, op);
            }
            Err(err) => {
                errors.push(write_error(i, &err));
                if ordered {
                    break;
                }
            }
        }
    }
    Ok(finish(doc! {"n": n}, errors, last))
}

struct UpdateStmt {
    filter: Filter,
    query: Document,
    update: Update,
    multi: bool,
    upsert: bool,
    hint: Option<Bson>,
}

fn parse_update_stmt(s: &Bson) -> Result<UpdateStmt, CmdError> {
    let Bson::Document(s) = s else {
        return Err(CmdError::type_mismatch(
            "BSON field 'update.updates' element is not an object",
        ));
    };
    let query = match s.get("q") {
        Some(Bson::Document(q)) => q.clone(),
        None => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                "BSON field 'update.updates.q' is missing but a required field",
            ))
        }
        Some(_) => {
            return Err(CmdError::type_mismatch(
                "BSON field 'update.updates.q' is the wrong type, expected type 'object'",
            ))
        }
    };
    let u = s.get("u").ok_or_else(|| {
        CmdError::new(
            40414,
            "Location40414",
            "BSON field 'update.updates.u' is missing but a required field",
        )
    })?;
    let update = Update::parse(u)?;
    let multi = bool_arg(s, "multi");
    if multi && update.is_replacement() {
        return Err(CmdError::new(
            9,
            "FailedToParse",
            "multi update is not supported for replacement-style update",
        ));
    }
    Ok(UpdateStmt {
        filter: Filter::parse(&query)?,
        query,
        update,
        multi,
        upsert: bool_arg(s, "upsert"),
        hint: s.get("hint").cloned(),
    })
}

/// Outcome of one update statement: matched, modified, upserted `_id`, last optime.
struct StmtResult {
    matched: i32,
    modified: i32,
    upserted: Option<Bson>,
    last: Option<OpTime>,
}

fn run_update_stmt(
    e: &mut Engine,
    db: &str,
    coll: &str,
    st: &UpdateStmt,
) -> Result<StmtResult, CmdError> {
    let mut targets =
        super::cmd_read::matching_hinted(e, db, coll, &st.filter, &st.query, st.hint.as_ref())?;
    if !st.multi {
        targets.truncate(1);
    }
    let mut r = StmtResult {
        matched: 0,
        modified: 0,
        upserted: None,
        last: None,
    };
    for (rid, old) in targets {
        let mut new = (*old).clone();
        st.update.apply(&mut new, false)?;
        r.matched += 1;
        if same_bytes(&old, &new) {
            continue;
        }
        let replacement = st.update.is_replacement();
        let op = update_one(e, (db, coll), rid, &old, new, replacement)?;
        r.last = max_optime(r.last, op);
        r.modified += 1;
    }
    if r.matched == 0 && st.upsert {
        let doc = upsert_document(&st.query, &st.update)?;
        let id = doc.get("_id").cloned().unwrap_or(Bson::Null);
        r.last = max_optime(r.last, insert_one(e, db, coll, doc)?);
        r.upserted = Some(id);
    }
    Ok(r)
}

/// The document an upsert inserts: the filter's equalities (only `_id` for a replacement),
/// updated, `_id` first.
pub fn upsert_document(query: &Document, update: &Update) -> Result<Document, CmdError> {
    let seed = upsert_seed(query)?;
    let mut d = match update {
        Update::Replace(_) => seed
            .get("_id")
            .map(|id| doc! {"_id": id.clone()})
            .unwrap_or_default(),
        Update::Ops(_) | Update::Pipeline(_) => seed,
    };
    update.apply(&mut d, true)?;
    with_id_first(&d)
}

fn same_bytes(a: &Document, b: &Document) -> bool {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    a.to_writer(&mut x).is_ok() && b.to_writer(&mut y).is_ok() && x == y
}

pub fn update(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "update", db)?;
    reject_system_writes(db, &coll)?;
    let stmts = statements(cmd, "update", "updates")?;
    let ordered = cmd.get("ordered").is_none_or(super::matcher::truthy);
    let ctx = begin_retryable(e, cmd)?;
    let (mut n, mut modified, mut errors, mut upserted, mut last) =
        (0i32, 0i32, Vec::new(), Vec::new(), None);
    for (i, s) in stmts.iter().enumerate() {
        let res = statement(e, ctx.as_ref(), i, |e| {
            parse_update_stmt(s).and_then(|st| run_update_stmt(e, db, &coll, &st))
        });
        match res {
            Ok(Stmt::Retried(ex)) => {
                n += 1;
                if ex.op == "i" {
                    upserted.push(Bson::Document(doc! {"index": i as i32, "_id": ex.id}));
                } else {
                    modified += 1;
                }
            }
            Ok(Stmt::Ran(r)) => {
                n += r.matched;
                modified += r.modified;
                if let Some(id) = r.upserted {
                    n += 1;
                    upserted.push(Bson::Document(doc! {"index": i as i32, "_id": id}));
                }
                last = max_optime(last, r.last);
            }
            Err(err) => {
                errors.push(write_error(i, &err));
                if ordered {
                    break;
                }
            }
        }
    }
    let mut reply = doc! {"n": n};
    if !errors.is_empty() {
        reply.insert("writeErrors", errors);
    }
    if !upserted.is_empty() {
        reply.insert("upserted", upserted);
    }
    reply.insert("nModified", modified);
    Ok(ok(reply, last))
}

pub fn delete(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "delete", db)?;
    reject_system_writes(db, &coll)?;
    let stmts = statements(cmd, "delete", "deletes")?;
    let ordered = cmd.get("ordered").is_none_or(super::matcher::truthy);
    let ctx = begin_retryable(e, cmd)?;
    let (mut n, mut errors, mut last) = (0i32, Vec::new(), None);
    for (i, s) in stmts.iter().enumerate() {
        let res = statement(
            e,
            ctx.as_ref(),
            i,
            |e| -> Result<(i32, Option<OpTime>), CmdError> {
                let Bson::Document(s) = s else {
                    return Err(CmdError::type_mismatch(
                        "BSON field 'delete.deletes' element is not an object",
                    ));
                };
                let q = match s.get("q") {
                    Some(Bson::Document(q)) => q.clone(),
                    _ => {
                        return Err(CmdError::new(
                            40414,
                            "Location40414",
                            "BSON field 'delete.deletes.q' is missing but a required field",
                        ))
                    }
                };
                let limit = s
                    .get("limit")
                    .and_then(super::compare::to_f64)
                    .unwrap_or(0.0);
                if limit != 0.0 && limit != 1.0 {
                    return Err(CmdError::new(
                        9,
                        "FailedToParse",
                        format!("The limit field in delete objects must be 0 or 1. Got {limit}"),
                    ));
                }
                let mut targets = super::cmd_read::matching_hinted(
                    e,
                    db,
                    &coll,
                    &Filter::parse(&q)?,
                    &q,
                    s.get("hint"),
                )?;
                if limit == 1.0 {
                    targets.truncate(1);
                }
                let mut last = None;
                let count = targets.len() as i32;
                for (_, d) in targets {
                    let id = d.get("_id").cloned().unwrap_or(Bson::Null);
                    last = max_optime(last, delete_one(e, db, &coll, id)?);
                }
                Ok((count, last))
            },
        );
        match res {
            Ok(Stmt::Retried(_)) => n += 1,
            Ok(Stmt::Ran((c, op))) => {
                n += c;
                last = max_optime(last, op);
            }
            Err(err) => {
                errors.push(write_error(i, &err));
                if ordered {
                    break;
                }
            }
        }
    }
    Ok(finish(doc! {"n": n}, errors, last))
}
