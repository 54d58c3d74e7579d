//! aggregate: `$match $project $addFields/$set $unset $group $sort $skip $limit $count $unwind
//! $replaceRoot` and a leading `$collStats`; results come back through the usual cursor.

use std::collections::HashMap;
use std::sync::Arc;

use bson::{doc, Bson, Document};

use super::cmd_read::open_cursor;
use super::cmd_stats::coll_stats_doc;
use super::commands::doc_arg;
use super::cursor::{Cursor, Source, Tail};
use super::docpath;
use super::engine::Engine;
use super::expr::{eval, Acc};
use super::matcher::{truthy, Filter};
use super::projection::Projection;
use super::sort::{sort_docs, Sort};
use super::CmdOutcome;
use crate::error::CmdError;

type Docs = Vec<Arc<Document>>;

/// mongod's aggregation stages by name (whether the sandbox runs them or not): an update
/// pipeline naming one of these is told it is not allowed there, not that it is unknown.
const MONGOD_STAGES: &[&str] = &[
    "$addFields",
    "$bucket",
    "$bucketAuto",
    "$changeStream",
    "$collStats",
    "$count",
    "$currentOp",
    "$densify",
    "$documents",
    "$facet",
    "$fill",
    "$geoNear",
    "$graphLookup",
    "$group",
    "$indexStats",
    "$limit",
    "$listLocalSessions",
    "$listSessions",
    "$lookup",
    "$match",
    "$merge",
    "$out",
    "$planCacheStats",
    "$project",
    "$redact",
    "$replaceRoot",
    "$replaceWith",
    "$sample",
    "$search",
    "$set",
    "$setWindowFields",
    "$skip",
    "$sort",
    "$sortByCount",
    "$unionWith",
    "$unset",
    "$unwind",
];

/// Whether `name` is one of mongod's aggregation stages.
pub fn is_stage(name: &str) -> bool {
    MONGOD_STAGES.contains(&name)
}

fn stage_err(msg: impl Into<String>) -> CmdError {
    CmdError::new(40323, "Location40323", msg)
}

pub fn aggregate(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = match cmd.get("aggregate") {
        Some(Bson::String(s)) => Some(s.clone()),
        Some(v) if super::compare::to_f64(v) == Some(1.0) => None,
        _ => {
            return Err(CmdError::new(
                73,
                "InvalidNamespace",
                "aggregate requires a collection name or 1",
            ))
        }
    };
    let pipeline = match cmd.get("pipeline") {
        Some(Bson::Array(a)) => a.clone(),
        _ => {
            return Err(CmdError::type_mismatch(
                "'pipeline' option must be specified as an array",
            ))
        }
    };
    if cmd.get("explain").is_some_and(super::matcher::truthy) {
        let reply = super::explain::explain_command(e, db, cmd, "queryPlanner")?;
        return Ok(super::commands::ok(reply, None));
    }
    let cursor_opts = doc_arg(cmd, "aggregate", "cursor")?.ok_or_else(|| {
        CmdError::new(
            9,
            "FailedToParse",
            "The 'cursor' option is required, except for aggregate with the explain argument",
        )
    })?;
    let batch = super::commands::count_arg(&cursor_opts, "aggregate.cursor", "batchSize")?
        .map(|b| b as u64);
    let mut stages = Vec::new();
    for s in &pipeline {
        match s {
            Bson::Document(d) if d.len() == 1 => stages.push(d.clone()),
            _ => {
                return Err(stage_err(
                    "A pipeline stage specification object must contain exactly one field.",
                ))
            }
        }
    }
    super::agg_out::check_position(&stages)?;
    let writer = stages
        .last()
        .filter(|s| s.contains_key("$out") || s.contains_key("$merge"))
        .cloned();
    if writer.is_some() {
        stages.pop();
    }
    let where_in_match = stages.iter().any(
        |s| matches!(s.get("$match"), Some(Bson::Document(m)) if super::matcher::uses_where(m)),
    );
    if where_in_match {
        return Err(CmdError::bad_value("$where is not allowed in this context"));
    }
    let ns = match &coll {
        Some(c) => format!("{db}.{c}"),
        None => format!("{db}.$cmd.aggregate"),
    };
    if stages
        .iter()
        .skip(1)
        .any(|s| s.contains_key("$changeStream"))
    {
        return Err(CmdError::new(
            40602,
            "Location40602",
            "$changeStream is only valid as the first stage in a pipeline",
        ));
    }
    if let Some(spec) = stages.first().and_then(|s| s.get("$changeStream")) {
        let cs = super::change_stream::open(e, db, coll.as_deref(), spec, &stages[1..])?;
        let mut cur = Cursor::new(ns, Source::Change(Box::new(cs)), None, None);
        cur.tail = Some(Tail { await_data: true });
        return Ok(open_cursor(e, cur, batch, false));
    }
    let mut rest: &[Document] = &stages;
    let mut docs: Docs = match (&coll, stages.first()) {
        (Some(c), Some(first)) if first.contains_key("$collStats") => {
            rest = &stages[1..];
            vec![Arc::new(coll_stats_stage(e, db, c, first)?)]
        }
        (Some(c), Some(first)) if first.contains_key("$match") => {
            rest = &stages[1..];
            let (f, fd) = match first.get("$match") {
                Some(Bson::Document(m)) => (Filter::parse(m)?, m.clone()),
                _ => {
                    return Err(CmdError::new(
                        15959,
                        "Location15959",
                        "the match filter must be an expression in an object",
                    ))
                }
            };
            super::cmd_read::matching_hinted(e, db, c, &f, &fd, cmd.get("hint"))?
                .into_iter()
                .map(|(_, d)| d)
                .collect()
        }
        (Some(c), _) => e
            .coll(db, c)
            .map(|c| {
                c.docs
                    .values()
                    .take_while(|_| !super::interrupt::expired())
                    .map(|s| s.doc())
                    .collect()
            })
            .unwrap_or_default(),
        (None, _) => Vec::new(),
    };
    for st in rest {
        docs = run_stage(st, docs)?;
    }
    if let Some(w) = writer {
        let op = super::agg_out::run(e, db, &w, docs)?;
        let empty: Vec<Bson> = Vec::new();
        let reply = doc! {"cursor": {"firstBatch": empty, "id": 0i64, "ns": ns}};
        return Ok(super::commands::ok(reply, op));
    }
    let mut cur = Cursor::docs(ns, docs);
    cur.max_time = super::tailable::has_max_time(cmd);
    let out = open_cursor(e, cur, batch, false);
    Ok(out)
}

fn coll_stats_stage(
    e: &Engine,
    db: &str,
    coll: &str,
    stage: &Document,
) -> Result<Document, CmdError> {
    let spec = match stage.get("$collStats") {
        Some(Bson::Document(d)) => d.clone(),
        _ => {
            return Err(CmdError::new(
                5447000,
                "Location5447000",
                "$collStats must take a nested object",
            ))
        }
    };
    let mut out = doc! {"ns": format!("{db}.{coll}"), "localTime": bson::DateTime::now()};
    if let Some(ss) = spec.get("storageStats") {
        let scale = match ss {
            Bson::Document(d) => d
                .get("scale")
                .and_then(super::compare::to_f64)
                .unwrap_or(1.0)
                .max(1.0) as i64,
            _ => 1,
        };
        out.insert("storageStats", coll_stats_doc(e, db, coll, scale));
    }
    if spec.contains_key("count") {
        out.insert("count", e.coll(db, coll).map_or(0, |c| c.count() as i64));
    }
    Ok(out)
}

/// Runs document-only stages (no collection access) on `docs`: what follows a stage that makes
/// its own documents, such as `$listLocalSessions`.
pub fn run_stages(stages: &[Document], docs: Vec<Document>) -> Result<Vec<Document>, CmdError> {
    let mut docs: Docs = docs.into_iter().map(Arc::new).collect();
    for s in stages {
        if s.len() != 1 {
            return Err(stage_err(
                "A pipeline stage specification object must contain exactly one field.",
            ));
        }
        docs = run_stage(s, docs)?;
    }
    Ok(docs
        .into_iter()
        .map(|d| Arc::try_unwrap(d).unwrap_or_else(|d| (*d).clone()))
        .collect())
}

pub(super) fn run_stage(stage: &Document, docs: Docs) -> Result<Docs, CmdError> {
    let (name, arg) = stage
        .iter()
        .next()
        .ok_or_else(|| stage_err("empty stage"))?;
    match name.as_str() {
        "$match" => {
            let Bson::Document(m) = arg else {
                return Err(CmdError::new(
                    15959,
                    "Location15959",
                    "the match filter must be an expression in an object",
                ));
            };
            let f = Filter::parse(m)?;
            Ok(docs.into_iter().filter(|d| f.matches(d)).collect())
        }
        "$skip" | "$limit" => {
            let n = match super::compare::to_f64(arg) {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && (name == "$skip" || n > 0.0) => {
                    n as usize
                }
                _ => {
                    return Err(CmdError::new(
                        15956,
                        "Location15956",
                        format!("the {} must be a positive number", &name[1..]),
                    ))
                }
            };
            Ok(if name == "$skip" {
                docs.into_iter().skip(n).collect()
            } else {
                docs.into_iter().take(n).collect()
            })
        }
        "$sort" => {
            let Bson::Document(s) = arg else {
                return Err(CmdError::new(
                    15973,
                    "Location15973",
                    "the $sort key specification must be an object",
                ));
            };
            let mut docs = docs;
            if let Some(Sort::Keys(keys)) = Sort::parse(s)? {
                sort_docs(&mut docs, &keys);
            }
            Ok(docs)
        }
        "$count" => {
            let Bson::String(field) = arg else {
                return Err(CmdError::new(
                    40156,
                    "Location40156",
                    "the count field must be a non-empty string",
                ));
            };
            if field.is_empty() || field.starts_with('$') || field.contains('.') {
                return Err(CmdError::new(
                    40156,
                    "Location40156",
                    "the count field must be a non-empty string",
                ));
            }
            if docs.is_empty() {
                return Ok(Vec::new());
            }
            let n = docs.len() as i64;
            let v = i32::try_from(n).map(Bson::Int32).unwrap_or(Bson::Int64(n));
            Ok(vec![Arc::new(doc! {field.clone(): v})])
        }
        "$group" => group(arg, docs),
        "$project" => project(arg, docs),
        "$addFields" | "$set" => {
            let Bson::Document(spec) = arg else {
                return Err(stage_err(format!(
                    "{name} specification stage must be an object"
                )));
            };
            docs.into_iter()
                .map(|d| {
                    let mut out = (*d).clone();
                    for (k, v) in spec {
                        match eval(v, &d)? {
                            Some(x) => docpath::set(&mut out, k, x)?,
                            None => {
                                docpath::unset(&mut out, k);
                            }
                        }
                    }
                    Ok(Arc::new(out))
                })
                .collect()
        }
        "$unset" => {
            let fields: Vec<String> = match arg {
                Bson::String(s) => vec![s.clone()],
                Bson::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => {
                    return Err(stage_err(
                        "$unset specification must be a string or an array",
                    ))
                }
            };
            Ok(docs
                .into_iter()
                .map(|d| {
                    let mut out = (*d).clone();
                    for f in &fields {
                        docpath::unset(&mut out, f);
                    }
                    Arc::new(out)
                })
                .collect())
        }
        "$unwind" => unwind(arg, docs),
        "$replaceRoot" | "$replaceWith" => {
            let e = match (name.as_str(), arg) {
                ("$replaceRoot", Bson::Document(d)) => d
                    .get("newRoot")
                    .cloned()
                    .ok_or_else(|| stage_err("no newRoot specified for the $replaceRoot stage"))?,
                ("$replaceWith", v) => v.clone(),
                _ => return Err(stage_err("$replaceRoot specification must be an object")),
            };
            docs.into_iter()
                .map(|d| match eval(&e, &d)? {
                    Some(Bson::Document(nd)) => Ok(Arc::new(nd)),
                    _ => Err(CmdError::new(
                        40228,
                        "Location40228",
                        "'newRoot' expression must evaluate to an object",
                    )),
                })
                .collect()
        }
        other => Err(CmdError::new(
            40324,
            "Location40324",
            format!("Unrecognized pipeline stage name: '{other}'"),
        )),
    }
}

fn group(arg: &Bson, docs: Docs) -> Result<Docs, CmdError> {
    let Bson::Document(spec) = arg else {
        return Err(CmdError::new(
            15947,
            "Location15947",
            "a group's fields must be specified in an object",
        ));
    };
    let id_expr = spec.get("_id").cloned().ok_or_else(|| {
        CmdError::new(
            15955,
            "Location15955",
            "a group specification must include an _id",
        )
    })?;
    let mut accs: Vec<(String, String, Bson)> = Vec::new();
    for (k, v) in spec.iter().filter(|(k, _)| k.as_str() != "_id") {
        let Bson::Document(a) = v else {
            return Err(CmdError::new(
                40234,
                "Location40234",
                format!("The field '{k}' must be an accumulator object"),
            ));
        };
        let (op, e) = a.iter().next().ok_or_else(|| {
            CmdError::new(
                40238,
                "Location40238",
                format!("The field '{k}' must specify one accumulator"),
            )
        })?;
        Acc::new(op)?;
        let e = if op == "$count" {
            Bson::Int32(1)
        } else {
            e.clone()
        };
        accs.push((k.clone(), op.clone(), e));
    }
    let mut order: Vec<(Bson, Vec<Acc>)> = Vec::new();
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    for d in &docs {
        let key = eval(&id_expr, d)?.unwrap_or(Bson::Null);
        // Group keys compare like values (1 == 1.0): normalise numbers before hashing.
        let hk = group_hash(&key);
        let slot = match index.get(&hk) {
            Some(i) => *i,
            None => {
                let fresh = accs
                    .iter()
                    .map(|(_, op, _)| Acc::new(op))
                    .collect::<Result<Vec<_>, _>>()?;
                order.push((key, fresh));
                index.insert(hk, order.len() - 1);
                order.len() - 1
            }
        };
        for (i, (_, _, e)) in accs.iter().enumerate() {
            let v = eval(e, d)?;
            order[slot].1[i].add(v);
        }
    }
    Ok(order
        .into_iter()
        .map(|(key, vals)| {
            let mut out = doc! {"_id": key};
            for ((name, _, _), acc) in accs.iter().zip(vals) {
                out.insert(name.clone(), acc.result());
            }
            Arc::new(out)
        })
        .collect())
}

fn group_hash(v: &Bson) -> Vec<u8> {
    fn norm(v: &Bson) -> Bson {
        match v {
            Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => {
                Bson::Double(super::compare::to_f64(v).unwrap_or(0.0))
            }
            Bson::Document(d) => {
                Bson::Document(d.iter().map(|(k, x)| (k.clone(), norm(x))).collect())
            }
            Bson::Array(a) => Bson::Array(a.iter().map(norm).collect()),
            other => other.clone(),
        }
    }
    let mut buf = Vec::new();
    let _ = doc! {"k": norm(v)}.to_writer(&mut buf);
    buf
}

fn project(arg: &Bson, docs: Docs) -> Result<Docs, CmdError> {
    let Bson::Document(spec) = arg else {
        return Err(stage_err("$project specification must be an object"));
    };
    if spec.is_empty() {
        return Err(CmdError::new(51272, "Location51272", "Invalid $project :: caused by :: projection specification must have at least one field"));
    }
    let mut plain = Document::new();
    let mut computed = Vec::new();
    for (k, v) in spec {
        match v {
            Bson::Boolean(_) | Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) => {
                plain.insert(k.clone(), Bson::Boolean(truthy(v)));
            }
            other => computed.push((k.clone(), other.clone())),
        }
    }
    let excluding = plain
        .iter()
        .any(|(k, v)| k != "_id" && *v == Bson::Boolean(false));
    if excluding && !computed.is_empty() {
        return Err(CmdError::new(31252, "Location31252", "Invalid $project :: caused by :: Cannot use expression other than $meta in exclusion projection"));
    }
    // A projection of only computed fields still includes `_id` (unless excluded).
    if !excluding && !plain.keys().any(|k| k != "_id") {
        plain.insert("__rsh_none__", true);
    }
    let p = Projection::parse(&plain)?;
    docs.into_iter()
        .map(|d| {
            let mut out = match &p {
                Some(p) => p.apply(&d),
                None => (*d).clone(),
            };
            for (k, e) in &computed {
                if let Some(v) = eval(e, &d)? {
                    docpath::set(&mut out, k, v)?;
                }
            }
            Ok(Arc::new(out))
        })
        .collect()
}

fn unwind(arg: &Bson, docs: Docs) -> Result<Docs, CmdError> {
    let (path, keep_empty, index_field) = match arg {
        Bson::String(s) => (s.clone(), false, None),
        Bson::Document(d) => (
            d.get_str("path")
                .map_err(|_| {
                    CmdError::new(28812, "Location28812", "no path specified to $unwind stage")
                })?
                .to_string(),
            d.get("preserveNullAndEmptyArrays").is_some_and(truthy),
            d.get_str("includeArrayIndex").ok().map(str::to_string),
        ),
        _ => {
            return Err(CmdError::new(
                15981,
                "Location15981",
                "expected either a string or an object as specification for $unwind stage",
            ))
        }
    };
    let Some(field) = path.strip_prefix('$') else {
        return Err(CmdError::new(
            28818,
            "Location28818",
            "path option to $unwind stage should be prefixed with a '$'",
        ));
    };
    let mut out = Vec::new();
    for d in docs {
        match docpath::get(&d, field).cloned() {
            Some(Bson::Array(a)) if !a.is_empty() => {
                for (i, v) in a.into_iter().enumerate() {
                    let mut nd = (*d).clone();
                    docpath::set(&mut nd, field, v)?;
                    if let Some(f) = &index_field {
                        nd.insert(f.clone(), i as i64);
                    }
                    out.push(Arc::new(nd));
                }
            }
            Some(Bson::Array(_)) | Some(Bson::Null) | None => {
                if keep_empty {
                    out.push(d);
                }
            }
            Some(_) => out.push(d),
        }
    }
    Ok(out)
}
