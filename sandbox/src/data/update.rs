//! Update documents: operator updates (`$set $unset $inc $mul $min $max $push $addToSet $pull
//! $pullAll $pop $rename $setOnInsert $currentDate`) and replacements; upsert seeds.

use std::cmp::Ordering;

use bson::{Bson, Document};

use super::compare::{bson_eq, cmp_bson};
use super::docpath;
use super::fmt;
use super::matcher::{Filter, Pred};
use crate::error::CmdError;

#[derive(Debug, Clone)]
pub enum Update {
    Replace(Document),
    Ops(Vec<(String, Vec<(String, Bson)>)>),
    /// A pipeline-style update: the stages an update may use, run on the one document.
    Pipeline(Vec<Document>),
}

/// The stages mongod allows in a pipeline-style update.
const PIPELINE_STAGES: &[&str] = &[
    "$addFields",
    "$set",
    "$project",
    "$unset",
    "$replaceRoot",
    "$replaceWith",
];

const OPS: &[&str] = &[
    "$set",
    "$unset",
    "$inc",
    "$mul",
    "$min",
    "$max",
    "$push",
    "$addToSet",
    "$pull",
    "$pullAll",
    "$pop",
    "$rename",
    "$setOnInsert",
    "$currentDate",
    "$bit",
];

fn failed_to_parse(msg: impl Into<String>) -> CmdError {
    CmdError::new(9, "FailedToParse", msg)
}

impl Update {
    pub fn parse(u: &Bson) -> Result<Update, CmdError> {
        let d = match u {
            Bson::Document(d) => d,
            Bson::Array(stages) => return parse_pipeline(stages),
            _ => {
                return Err(failed_to_parse(
                    "Update argument must be either an object or an array",
                ))
            }
        };
        if !d.keys().next().is_some_and(|k| k.starts_with('$')) {
            if let Some(k) = d.keys().find(|k| k.starts_with('$')) {
                return Err(CmdError::new(52, "DollarPrefixedFieldName", format!("The dollar ($) prefixed field '{k}' in '{k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.")));
            }
            return Ok(Update::Replace(d.clone()));
        }
        let mut ops = Vec::new();
        let mut paths: Vec<String> = Vec::new();
        for (op, arg) in d {
            if !OPS.contains(&op.as_str()) {
                return Err(failed_to_parse(format!(
                    "Unknown modifier: {op}. Expected a valid update modifier or pipeline-style update specified as an array"
                )));
            }
            let Bson::Document(fields) = arg else {
                return Err(failed_to_parse(format!("Modifiers operate on fields but we found type {} instead. For example: {{$mod: {{<field>: ...}}}} not {{{op}: {}}}", docpath::bson_type_name(arg), fmt::value(arg))));
            };
            if fields.is_empty() {
                return Err(failed_to_parse(format!("'{op}' is empty. You must specify a field like so: {{{op}: {{<field_name>: ...}}}}")));
            }
            let mut list = Vec::new();
            for (path, v) in fields {
                let mut targets = vec![path.clone()];
                if op == "$rename" {
                    let to = v.as_str().ok_or_else(|| {
                        CmdError::bad_value(format!(
                            "The 'to' field for $rename must be a string: {path}: {}",
                            fmt::value(v)
                        ))
                    })?;
                    if to == path {
                        return Err(CmdError::bad_value(format!(
                            "The source and target field for $rename must differ: {path}: \"{to}\""
                        )));
                    }
                    targets.push(to.to_string());
                }
                for t in targets {
                    if let Some(p) = paths.iter().find(|p| conflicts(p, &t)) {
                        return Err(CmdError::new(
                            40,
                            "ConflictingUpdateOperators",
                            format!(
                                "Updating the path '{t}' would create a conflict at '{}'",
                                common(p, &t)
                            ),
                        ));
                    }
                    paths.push(t);
                }
                check_arg(op, path, v)?;
                list.push((path.clone(), v.clone()));
            }
            ops.push((op.clone(), list));
        }
        Ok(Update::Ops(ops))
    }

    pub fn is_replacement(&self) -> bool {
        matches!(self, Update::Replace(_))
    }

    /// Applies the update to `doc` (`inserting`: an upsert's new document, so `$setOnInsert` runs).
    pub fn apply(&self, doc: &mut Document, inserting: bool) -> Result<(), CmdError> {
        let id = doc.get("_id").cloned();
        match self {
            Update::Replace(r) => {
                let mut new = Document::new();
                if let Some(id) = &id {
                    new.insert("_id", id.clone());
                }
                for (k, v) in r {
                    if k == "_id" && id.is_some() {
                        continue;
                    }
                    new.insert(k.clone(), v.clone());
                }
                if let (Some(old), Some(newid)) = (&id, r.get("_id")) {
                    if !bson_eq(old, newid) || old.element_type() != newid.element_type() {
                        return Err(immutable_id());
                    }
                }
                *doc = new;
            }
            Update::Pipeline(stages) => {
                let mut docs = vec![std::sync::Arc::new(doc.clone())];
                for stage in stages {
                    docs = super::aggregate::run_stage(stage, docs)?;
                }
                let out = docs.pop().map(|d| (*d).clone()).unwrap_or_default();
                // As a replacement: the original _id stays (first), and may not change.
                return Update::Replace(out).apply(doc, inserting);
            }
            Update::Ops(ops) => {
                for (op, fields) in ops {
                    for (path, arg) in fields {
                        apply_op(op, path, arg, doc, inserting, id.as_ref())?;
                    }
                }
                if let Some(old) = &id {
                    match doc.get("_id") {
                        Some(n) if bson_eq(old, n) && old.element_type() == n.element_type() => {}
                        _ => return Err(immutable_id()),
                    }
                }
            }
        }
        Ok(())
    }
}

/// A pipeline-style update's stages: objects, each one of `PIPELINE_STAGES`.
fn parse_pipeline(stages: &[Bson]) -> Result<Update, CmdError> {
    let mut out = Vec::with_capacity(stages.len());
    for s in stages {
        let Bson::Document(stage) = s else {
            return Err(CmdError::type_mismatch(
                "Each element of the 'pipeline' array must be an object",
            ));
        };
        let name = stage.keys().next().map(String::as_str).unwrap_or_default();
        if stage.len() != 1 {
            return Err(CmdError::new(
                40323,
                "Location40323",
                "A pipeline stage specification object must contain exactly one field.",
            ));
        }
        if !PIPELINE_STAGES.contains(&name) {
            let known = super::aggregate::is_stage(name);
            return Err(if known {
                CmdError::new(
                    72,
                    "InvalidOptions",
                    format!("{name} is not allowed to be used within an update"),
                )
            } else {
                CmdError::new(
                    40324,
                    "Location40324",
                    format!("Unrecognized pipeline stage name: '{name}'"),
                )
            });
        }
        out.push(stage.clone());
    }
    Ok(Update::Pipeline(out))
}

fn immutable_id() -> CmdError {
    CmdError::new(
        66,
        "ImmutableField",
        "Performing an update on the path '_id' would modify the immutable field '_id'",
    )
}

fn conflicts(a: &str, b: &str) -> bool {
    a == b || b.starts_with(&format!("{a}.")) || a.starts_with(&format!("{b}."))
}

fn common(a: &str, b: &str) -> String {
    if a.len() <= b.len() { a } else { b }.to_string()
}

fn check_arg(op: &str, path: &str, v: &Bson) -> Result<(), CmdError> {
    match op {
        "$inc" | "$mul" if super::compare::to_f64(v).is_none() => {
            let verb = if op == "$inc" {
                "increment"
            } else {
                "multiply"
            };
            Err(CmdError::type_mismatch(format!(
                "Cannot {verb} with non-numeric argument: {}",
                fmt::element(path, v)
            )))
        }
        "$pop" => match super::compare::to_f64(v) {
            Some(f) if f == 1.0 || f == -1.0 => Ok(()),
            _ => Err(failed_to_parse(format!(
                "$pop expects 1 or -1, found: {}",
                fmt::value(v)
            ))),
        },
        "$bit" => bit_ops(v).map(|_| ()),
        "$pullAll" if !matches!(v, Bson::Array(_)) => Err(failed_to_parse(format!(
            "$pullAll requires an array argument but was given a {}",
            docpath::bson_type_name(v)
        ))),
        _ => Ok(()),
    }
}

fn id_text(id: Option<&Bson>) -> String {
    match id {
        Some(v) => fmt::element("_id", v),
        None => "{}".to_string(),
    }
}

/// `a + b` with the server's type promotion (int32 → int64 on overflow → double).
pub fn add(a: &Bson, b: &Bson) -> Option<Bson> {
    Some(match (a, b) {
        (Bson::Int32(x), Bson::Int32(y)) => match x.checked_add(*y) {
            Some(s) => Bson::Int32(s),
            None => Bson::Int64(i64::from(*x) + i64::from(*y)),
        },
        (Bson::Int32(_) | Bson::Int64(_), Bson::Int32(_) | Bson::Int64(_)) => {
            let (x, y) = (int(a)?, int(b)?);
            x.checked_add(y)
                .map(Bson::Int64)
                .unwrap_or(Bson::Double(x as f64 + y as f64))
        }
        _ => Bson::Double(super::compare::to_f64(a)? + super::compare::to_f64(b)?),
    })
}

/// `a * b` with the same promotion as `add`.
pub fn mul(a: &Bson, b: &Bson) -> Option<Bson> {
    Some(match (a, b) {
        (Bson::Int32(x), Bson::Int32(y)) => match x.checked_mul(*y) {
            Some(s) => Bson::Int32(s),
            None => Bson::Int64(i64::from(*x) * i64::from(*y)),
        },
        (Bson::Int32(_) | Bson::Int64(_), Bson::Int32(_) | Bson::Int64(_)) => {
            let (x, y) = (int(a)?, int(b)?);
            x.checked_mul(y)
                .map(Bson::Int64)
                .unwrap_or(Bson::Double(x as f64 * y as f64))
        }
        _ => Bson::Double(super::compare::to_f64(a)? * super::compare::to_f64(b)?),
    })
}

fn int(v: &Bson) -> Option<i64> {
    match v {
        Bson::Int32(i) => Some(i64::from(*i)),
        Bson::Int64(i) => Some(*i),
        _ => None,
    }
}

fn not_array(path: &str, v: &Bson, id: Option<&Bson>) -> CmdError {
    CmdError::bad_value(format!(
        "The field '{path}' must be an array but is of type {} in document {}",
        docpath::bson_type_name(v),
        id_text(id)
    ))
}

/// The `$each` list (or the single value) of a `$push`/`$addToSet` argument.
fn each_values(arg: &Bson) -> Result<(Vec<Bson>, Option<&Document>), CmdError> {
    match arg {
        Bson::Document(d) if d.contains_key("$each") => match d.get("$each") {
            Some(Bson::Array(a)) => Ok((a.clone(), Some(d))),
            _ => Err(CmdError::bad_value(
                "The argument to $each in $push must be an array",
            )),
        },
        other => Ok((vec![other.clone()], None)),
    }
}

fn apply_op(
    op: &str,
    path: &str,
    arg: &Bson,
    doc: &mut Document,
    inserting: bool,
    id: Option<&Bson>,
) -> Result<(), CmdError> {
    match op {
        "$set" => docpath::set(doc, path, arg.clone()),
        "$setOnInsert" if inserting => docpath::set(doc, path, arg.clone()),
        "$setOnInsert" => Ok(()),
        "$unset" => {
            docpath::unset(doc, path);
            Ok(())
        }
        "$bit" => {
            let ops = bit_ops(arg)?;
            let mut cur = match docpath::get(doc, path) {
                None => Bson::Int32(0),
                Some(c @ (Bson::Int32(_) | Bson::Int64(_))) => c.clone(),
                Some(c) => {
                    return Err(CmdError::type_mismatch(format!(
                        "Cannot apply $bit to a value of non-integral type.{} has the field {} of non-integer type {}",
                        id_text(id),
                        path.rsplit('.').next().unwrap_or(path),
                        docpath::bson_type_name(c)
                    )))
                }
            };
            for (how, operand) in ops {
                cur = bit_apply(&cur, how, &operand);
            }
            docpath::set(doc, path, cur)
        }
        "$inc" | "$mul" => {
            let new = match docpath::get(doc, path) {
                None if op == "$inc" => arg.clone(),
                None => mul(&Bson::Int32(0), arg).unwrap_or(Bson::Int32(0)),
                Some(c) if super::compare::to_f64(c).is_some() => {
                    if op == "$inc" { add(c, arg) } else { mul(c, arg) }.unwrap_or(Bson::Null)
                }
                Some(c) => {
                    return Err(CmdError::type_mismatch(format!(
                        "Cannot apply {op} to a value of non-numeric type. {} has the field '{}' of non-numeric type {}",
                        id_text(id),
                        path.rsplit('.').next().unwrap_or(path),
                        docpath::bson_type_name(c)
                    )))
                }
            };
            docpath::set(doc, path, new)
        }
        "$min" | "$max" => {
            let want = if op == "$min" {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            match docpath::get(doc, path) {
                Some(cur) if cmp_bson(arg, cur) != want => Ok(()),
                _ => docpath::set(doc, path, arg.clone()),
            }
        }
        "$currentDate" => {
            let ts = matches!(arg, Bson::Document(d) if d.get_str("$type") == Ok("timestamp"));
            let now = bson::DateTime::now();
            let v = if ts {
                Bson::Timestamp(bson::Timestamp {
                    time: (now.timestamp_millis() / 1000) as u32,
                    increment: 1,
                })
            } else {
                Bson::DateTime(now)
            };
            docpath::set(doc, path, v)
        }
        "$push" | "$addToSet" => {
            let (vals, mods) = each_values(arg)?;
            let existed = docpath::get(doc, path).is_some();
            let slot = docpath::slot(doc, path)?;
            if !existed {
                *slot = Bson::Array(Vec::new());
            }
            let Bson::Array(a) = slot else {
                return Err(not_array(path, slot, id));
            };
            if op == "$addToSet" {
                for v in vals {
                    if !a.iter().any(|e| bson_eq(e, &v)) {
                        a.push(v);
                    }
                }
                return Ok(());
            }
            let pos = mods
                .and_then(|m| m.get("$position"))
                .and_then(super::compare::to_f64);
            match pos {
                Some(p) => {
                    let len = a.len() as i64;
                    let at = if p < 0.0 {
                        (len + p as i64).max(0)
                    } else {
                        (p as i64).min(len)
                    } as usize;
                    for (i, v) in vals.into_iter().enumerate() {
                        a.insert(at + i, v);
                    }
                }
                None => a.extend(vals),
            }
            if let Some(sort) = mods.and_then(|m| m.get("$sort")) {
                sort_array(a, sort);
            }
            if let Some(n) = mods
                .and_then(|m| m.get("$slice"))
                .and_then(super::compare::to_f64)
            {
                let n = n as i64;
                if n >= 0 {
                    a.truncate(n as usize);
                } else {
                    let keep = (-n) as usize;
                    if a.len() > keep {
                        a.drain(..a.len() - keep);
                    }
                }
            }
            Ok(())
        }
        "$pop" => {
            let first = super::compare::to_f64(arg).is_some_and(|f| f < 0.0);
            match docpath::get_mut(doc, path) {
                None => Ok(()),
                Some(Bson::Array(a)) => {
                    if !a.is_empty() {
                        if first {
                            a.remove(0);
                        } else {
                            a.pop();
                        }
                    }
                    Ok(())
                }
                Some(other) => Err(CmdError::type_mismatch(format!(
                    "Path '{path}' contains an element of non-array type '{}'",
                    docpath::bson_type_name(other)
                ))),
            }
        }
        "$pull" | "$pullAll" => {
            let cond = PullCond::new(op, arg)?;
            match docpath::get_mut(doc, path) {
                None => Ok(()),
                Some(Bson::Array(a)) => {
                    a.retain(|e| !cond.matches(e));
                    Ok(())
                }
                Some(_) => Err(CmdError::bad_value(
                    "Cannot apply $pull to a non-array value",
                )),
            }
        }
        "$rename" => {
            let to = arg.as_str().unwrap_or_default();
            if let Some(v) = docpath::unset(doc, path) {
                docpath::set(doc, to, v)?;
            }
            Ok(())
        }
        other => Err(failed_to_parse(format!("Unknown modifier: {other}"))),
    }
}

fn sort_array(a: &mut [Bson], spec: &Bson) {
    match spec {
        Bson::Document(d) => {
            let keys: Vec<(String, bool)> = d
                .iter()
                .map(|(k, v)| (k.clone(), super::compare::to_f64(v).unwrap_or(1.0) >= 0.0))
                .collect();
            a.sort_by(|x, y| {
                for (k, asc) in &keys {
                    let get = |b: &Bson| match b {
                        Bson::Document(d) => docpath::get(d, k).cloned().unwrap_or(Bson::Null),
                        _ => Bson::Null,
                    };
                    let o = cmp_bson(&get(x), &get(y));
                    if o != Ordering::Equal {
                        return if *asc { o } else { o.reverse() };
                    }
                }
                Ordering::Equal
            });
        }
        other => {
            let asc = super::compare::to_f64(other).unwrap_or(1.0) >= 0.0;
            a.sort_by(|x, y| if asc { cmp_bson(x, y) } else { cmp_bson(y, x) });
        }
    }
}

enum PullCond {
    Values(Vec<Bson>),
    Preds(Vec<Pred>),
    Doc(Filter),
}

impl PullCond {
    fn new(op: &str, arg: &Bson) -> Result<PullCond, CmdError> {
        Ok(match (op, arg) {
            ("$pullAll", Bson::Array(a)) => PullCond::Values(a.clone()),
            (_, Bson::Document(d))
                if d.keys().next().is_some_and(|k| {
                    k.starts_with('$') && !matches!(k.as_str(), "$and" | "$or" | "$nor")
                }) =>
            {
                let wrapped = bson::doc! {"x": Bson::Document(d.clone())};
                match Filter::parse(&wrapped)? {
                    Filter::Field(_, preds) => PullCond::Preds(preds),
                    _ => PullCond::Values(vec![]),
                }
            }
            (_, Bson::Document(d)) => PullCond::Doc(Filter::parse(d)?),
            (_, other) => PullCond::Values(vec![other.clone()]),
        })
    }

    fn matches(&self, e: &Bson) -> bool {
        match self {
            PullCond::Values(vs) => vs.iter().any(|v| bson_eq(v, e)),
            PullCond::Preds(ps) => {
                Filter::Field("x".into(), ps.clone()).matches(&bson::doc! {"x": e.clone()})
            }
            PullCond::Doc(f) => matches!(e, Bson::Document(d) if f.matches(d)),
        }
    }
}

/// The document an upsert starts from: the filter's equality conditions (top level and `$and`).
pub fn upsert_seed(filter: &Document) -> Result<Document, CmdError> {
    let mut out = Document::new();
    seed_into(filter, &mut out)?;
    Ok(out)
}

fn seed_into(filter: &Document, out: &mut Document) -> Result<(), CmdError> {
    for (k, v) in filter {
        if k == "$and" {
            if let Bson::Array(a) = v {
                for e in a {
                    if let Bson::Document(d) = e {
                        seed_into(d, out)?;
                    }
                }
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        let val = match v {
            Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                match d.get("$eq") {
                    Some(x) => x.clone(),
                    None => continue,
                }
            }
            Bson::RegularExpression(_) => continue,
            other => other.clone(),
        };
        docpath::set(out, k, val)?;
    }
    Ok(())
}

/// The `{and|or|xor: int}` steps of a `$bit` argument, in order.
fn bit_ops(v: &Bson) -> Result<Vec<(String, Bson)>, CmdError> {
    let Bson::Document(d) = v else {
        return Err(failed_to_parse(format!(
            "The $bit modifier is not compatible with a {}. You must pass in an embedded document: {{$bit: {{field: {{and/or/xor: #}}}}",
            docpath::bson_type_name(v)
        )));
    };
    let mut out = Vec::new();
    for (k, operand) in d {
        if !matches!(k.as_str(), "and" | "or" | "xor") {
            return Err(failed_to_parse(format!(
                "The $bit modifier only supports 'and', 'or', and 'xor', not '{k}' which is an unknown operator: {}",
                fmt::element(k, operand)
            )));
        }
        if !matches!(operand, Bson::Int32(_) | Bson::Int64(_)) {
            return Err(failed_to_parse(format!(
                "The $bit modifier field must be an Integer(32/64 bit); a '{}' is not supported here: {}",
                docpath::bson_type_name(operand),
                fmt::element(k, operand)
            )));
        }
        out.push((k.clone(), operand.clone()));
    }
    if out.is_empty() {
        return Err(failed_to_parse(
            "You must pass in at least one bitwise operation. The format is: {$bit: {field: {and/or/xor: #}}",
        ));
    }
    Ok(out)
}

/// One bitwise step; the result is a long when either side is.
fn bit_apply(cur: &Bson, how: String, operand: &Bson) -> Bson {
    let f = |a: i64, b: i64| match how.as_str() {
        "and" => a & b,
        "or" => a | b,
        _ => a ^ b,
    };
    match (cur, operand) {
        (Bson::Int32(a), Bson::Int32(b)) => Bson::Int32(f(i64::from(*a), i64::from(*b)) as i32),
        (Bson::Int32(a), Bson::Int64(b)) => Bson::Int64(f(i64::from(*a), *b)),
        (Bson::Int64(a), Bson::Int32(b)) => Bson::Int64(f(*a, i64::from(*b))),
        (Bson::Int64(a), Bson::Int64(b)) => Bson::Int64(f(*a, *b)),
        _ => cur.clone(),
    }
}
