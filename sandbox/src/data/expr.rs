//! Aggregation expressions, enough for `$project`, `$addFields`, `$group` keys and accumulators:
//! field paths (`"$a.b"`, `$$ROOT`), literals, objects, arrays and the operators `$literal $add
//! $subtract $multiply $divide $mod $concat $toUpper $toLower $cond $ifNull $eq $ne $gt $gte $lt
//! $lte $and $or $not $size $sum $avg $min $max $arrayElemAt $toString`.

use std::cmp::Ordering;

use bson::{Bson, Document};

use super::compare::{cmp_bson, to_f64};
use super::matcher::truthy;
use crate::error::CmdError;

fn expr_err(msg: impl Into<String>) -> CmdError {
    CmdError::new(168, "InvalidPipelineOperator", msg)
}

/// The value of `path` (no `$`) with array traversal: `a.b` over an array of documents yields
/// the array of their `b` values.
fn field(v: &Bson, parts: &[&str]) -> Option<Bson> {
    let Some((first, rest)) = parts.split_first() else {
        return Some(v.clone());
    };
    match v {
        Bson::Document(d) => field(d.get(*first)?, rest),
        Bson::Array(a) => Some(Bson::Array(
            a.iter()
                .filter_map(|e| match e {
                    Bson::Document(_) => field(e, parts),
                    _ => None,
                })
                .collect(),
        )),
        _ => None,
    }
}

/// Evaluates `e` against `doc`; `None` is "missing" (fields not set by `$project`).
pub fn eval(e: &Bson, doc: &Document) -> Result<Option<Bson>, CmdError> {
    match e {
        Bson::String(s) if s.starts_with("$$") => {
            let (var, rest) = s[2..]
                .split_once('.')
                .map_or((&s[2..], None), |(a, b)| (a, Some(b)));
            let root = match var {
                "ROOT" | "CURRENT" => Bson::Document(doc.clone()),
                "REMOVE" => return Ok(None),
                other => {
                    return Err(CmdError::new(
                        17276,
                        "Location17276",
                        format!("Use of undefined variable: {other}"),
                    ))
                }
            };
            Ok(match rest {
                Some(p) => field(&root, &p.split('.').collect::<Vec<_>>()),
                None => Some(root),
            })
        }
        Bson::String(s) if s.starts_with('$') => {
            let parts: Vec<&str> = s[1..].split('.').collect();
            Ok(doc.get(parts[0]).and_then(|v| field(v, &parts[1..])))
        }
        Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
            if d.len() != 1 {
                return Err(expr_err(format!("an expression specification must contain exactly one field, the name of the expression. Found {} fields", d.len())));
            }
            let (op, arg) = d
                .iter()
                .next()
                .ok_or_else(|| expr_err("empty expression"))?;
            operator(op, arg, doc)
        }
        Bson::Document(d) => {
            let mut out = Document::new();
            for (k, v) in d {
                if let Some(x) = eval(v, doc)? {
                    out.insert(k.clone(), x);
                }
            }
            Ok(Some(Bson::Document(out)))
        }
        Bson::Array(a) => {
            let mut out = Vec::new();
            for v in a {
                out.push(eval(v, doc)?.unwrap_or(Bson::Null));
            }
            Ok(Some(Bson::Array(out)))
        }
        other => Ok(Some(other.clone())),
    }
}

fn args(arg: &Bson, doc: &Document) -> Result<Vec<Bson>, CmdError> {
    match arg {
        Bson::Array(a) => a
            .iter()
            .map(|v| eval(v, doc).map(|x| x.unwrap_or(Bson::Null)))
            .collect(),
        other => Ok(vec![eval(other, doc)?.unwrap_or(Bson::Null)]),
    }
}

fn num_args(op: &str, vals: &[Bson]) -> Result<Option<Vec<Bson>>, CmdError> {
    if vals
        .iter()
        .any(|v| matches!(v, Bson::Null | Bson::Undefined))
    {
        return Ok(None);
    }
    for v in vals {
        if to_f64(v).is_none() && !matches!(v, Bson::DateTime(_)) {
            return Err(CmdError::type_mismatch(format!(
                "{op} only supports numeric types, not {}",
                super::docpath::bson_type_name(v)
            )));
        }
    }
    Ok(Some(vals.to_vec()))
}

fn sum_numbers<'a>(vals: impl Iterator<Item = &'a Bson>) -> Bson {
    let mut acc = Bson::Int32(0);
    for v in vals {
        if to_f64(v).is_some() {
            acc = super::update::add(&acc, v).unwrap_or(acc);
        }
    }
    acc
}

fn extreme<'a>(vals: impl Iterator<Item = &'a Bson>, want: Ordering) -> Bson {
    let mut best: Option<&Bson> = None;
    for v in vals.filter(|v| !matches!(v, Bson::Null | Bson::Undefined)) {
        if best.is_none_or(|b| cmp_bson(v, b) == want) {
            best = Some(v);
        }
    }
    best.cloned().unwrap_or(Bson::Null)
}

fn flatten(vals: Vec<Bson>) -> Vec<Bson> {
    if vals.len() == 1 {
        if let Bson::Array(a) = &vals[0] {
            return a.clone();
        }
    }
    vals
}

fn operator(op: &str, arg: &Bson, doc: &Document) -> Result<Option<Bson>, CmdError> {
    let v = match op {
        "$literal" => arg.clone(),
        "$add" | "$multiply" => {
            let Some(vals) = num_args(op, &args(arg, doc)?)? else {
                return Ok(Some(Bson::Null));
            };
            let mut acc = if op == "$add" {
                Bson::Int32(0)
            } else {
                Bson::Int32(1)
            };
            for x in &vals {
                acc = match (op, &acc, x) {
                    ("$add", Bson::DateTime(d), n) | ("$add", n, Bson::DateTime(d)) => {
                        Bson::DateTime(bson::DateTime::from_millis(
                            d.timestamp_millis() + to_f64(n).unwrap_or(0.0) as i64,
                        ))
                    }
                    ("$add", a, b) => super::update::add(a, b).unwrap_or(Bson::Null),
                    (_, a, b) => super::update::mul(a, b).unwrap_or(Bson::Null),
                };
            }
            acc
        }
        "$subtract" | "$divide" | "$mod" => {
            let vals = args(arg, doc)?;
            if vals.len() != 2 {
                return Err(expr_err(format!(
                    "Expression {op} takes exactly 2 arguments. {} were passed in.",
                    vals.len()
                )));
            }
            let Some(vals) = num_args(op, &vals)? else {
                return Ok(Some(Bson::Null));
            };
            let (a, b) = (
                to_f64(&vals[0]).unwrap_or(0.0),
                to_f64(&vals[1]).unwrap_or(0.0),
            );
            match op {
                "$subtract" => match (&vals[0], &vals[1]) {
                    (Bson::DateTime(x), Bson::DateTime(y)) => {
                        Bson::Int64(x.timestamp_millis() - y.timestamp_millis())
                    }
                    (Bson::Int32(_) | Bson::Int64(_), Bson::Int32(_) | Bson::Int64(_)) => {
                        Bson::Int64(a as i64 - b as i64)
                    }
                    _ => Bson::Double(a - b),
                },
                _ if b == 0.0 => {
                    return Err(CmdError::new(
                        16608,
                        "Location16608",
                        format!(
                            "can't {} by 0",
                            if op == "$mod" { "$mod" } else { "divide" }
                        ),
                    ))
                }
                "$divide" => Bson::Double(a / b),
                _ => Bson::Double(a % b),
            }
        }
        "$concat" => {
            let mut s = String::new();
            for x in args(arg, doc)? {
                match x {
                    Bson::String(p) => s.push_str(&p),
                    Bson::Null => return Ok(Some(Bson::Null)),
                    other => {
                        return Err(expr_err(format!(
                            "$concat only supports strings, not {}",
                            super::docpath::bson_type_name(&other)
                        )))
                    }
                }
            }
            Bson::String(s)
        }
        "$toUpper" | "$toLower" | "$toString" => {
            let x = args(arg, doc)?.into_iter().next().unwrap_or(Bson::Null);
            let s = match &x {
                Bson::String(s) => s.clone(),
                Bson::Null => String::new(),
                Bson::ObjectId(o) => o.to_hex(),
                other => super::fmt::value(other),
            };
            match op {
                "$toUpper" => Bson::String(s.to_uppercase()),
                "$toLower" => Bson::String(s.to_lowercase()),
                _ if matches!(x, Bson::Null) => Bson::Null,
                _ => Bson::String(s),
            }
        }
        "$cond" => {
            let (c, t, f) = match arg {
                Bson::Array(a) if a.len() == 3 => (&a[0], &a[1], &a[2]),
                Bson::Document(d) => match (d.get("if"), d.get("then"), d.get("else")) {
                    (Some(c), Some(t), Some(f)) => (c, t, f),
                    _ => {
                        return Err(expr_err(
                            "Missing 'if', 'then' or 'else' parameter to $cond",
                        ))
                    }
                },
                _ => return Err(expr_err("Expression $cond takes exactly 3 arguments.")),
            };
            let cv = eval(c, doc)?.unwrap_or(Bson::Null);
            return eval(if truthy(&cv) { t } else { f }, doc);
        }
        "$ifNull" => {
            let vals = args(arg, doc)?;
            let last = vals.last().cloned().unwrap_or(Bson::Null);
            vals.into_iter()
                .find(|v| !matches!(v, Bson::Null | Bson::Undefined))
                .unwrap_or(last)
        }
        "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte" | "$cmp" => {
            let vals = args(arg, doc)?;
            if vals.len() != 2 {
                return Err(expr_err(format!(
                    "Expression {op} takes exactly 2 arguments. {} were passed in.",
                    vals.len()
                )));
            }
            let o = cmp_bson(&vals[0], &vals[1]);
            match op {
                "$eq" => Bson::Boolean(o == Ordering::Equal),
                "$ne" => Bson::Boolean(o != Ordering::Equal),
                "$gt" => Bson::Boolean(o == Ordering::Greater),
                "$gte" => Bson::Boolean(o != Ordering::Less),
                "$lt" => Bson::Boolean(o == Ordering::Less),
                "$lte" => Bson::Boolean(o != Ordering::Greater),
                _ => Bson::Int32(o as i32),
            }
        }
        "$type" => {
            let inner = match arg {
                Bson::Array(a) if a.len() == 1 => &a[0],
                Bson::Array(a) => {
                    return Err(CmdError::new(
                        16020,
                        "Location16020",
                        format!(
                            "Expression $type takes exactly 1 arguments. {} were passed in.",
                            a.len()
                        ),
                    ))
                }
                other => other,
            };
            match eval(inner, doc)? {
                Some(v) => Bson::String(super::docpath::bson_type_name(&v).to_string()),
                None => Bson::String("missing".to_string()),
            }
        }
        "$and" => Bson::Boolean(args(arg, doc)?.iter().all(truthy)),
        "$or" => Bson::Boolean(args(arg, doc)?.iter().any(truthy)),
        "$not" => Bson::Boolean(!args(arg, doc)?.first().is_some_and(truthy)),
        "$size" => match args(arg, doc)?.into_iter().next() {
            Some(Bson::Array(a)) => Bson::Int32(a.len() as i32),
            Some(other) => {
                return Err(CmdError::new(
                    17124,
                    "Location17124",
                    format!(
                        "The argument to $size must be an array. Type of argument: {}",
                        super::docpath::bson_type_name(&other)
                    ),
                ))
            }
            None => Bson::Null,
        },
        "$sum" => sum_numbers(flatten(args(arg, doc)?).iter()),
        "$avg" => {
            let vals = flatten(args(arg, doc)?);
            let nums: Vec<f64> = vals.iter().filter_map(to_f64).collect();
            if nums.is_empty() {
                Bson::Null
            } else {
                Bson::Double(nums.iter().sum::<f64>() / nums.len() as f64)
            }
        }
        "$min" => extreme(flatten(args(arg, doc)?).iter(), Ordering::Less),
        "$max" => extreme(flatten(args(arg, doc)?).iter(), Ordering::Greater),
        "$arrayElemAt" => {
            let vals = args(arg, doc)?;
            match (vals.first(), vals.get(1).and_then(to_f64)) {
                (Some(Bson::Array(a)), Some(i)) => {
                    let i = i as i64;
                    let idx = if i < 0 { a.len() as i64 + i } else { i };
                    match usize::try_from(idx).ok().and_then(|i| a.get(i)) {
                        Some(v) => v.clone(),
                        None => return Ok(None),
                    }
                }
                _ => Bson::Null,
            }
        }
        other => return Err(expr_err(format!("Unrecognized expression '{other}'"))),
    };
    Ok(Some(v))
}

/// One `$group` accumulator's running state.
#[derive(Debug, Clone)]
pub enum Acc {
    Sum(Bson),
    Avg(f64, u64),
    Min(Option<Bson>),
    Max(Option<Bson>),
    First(Option<Bson>),
    Last(Bson),
    Push(Vec<Bson>),
    AddToSet(Vec<Bson>),
}

/// Keeps the smaller (`Less`) or larger value, ignoring missing and null.
fn keep(best: &mut Option<Bson>, v: Option<Bson>, want: Ordering) {
    if let Some(x) = v.filter(|x| !matches!(x, Bson::Null | Bson::Undefined)) {
        if best.as_ref().is_none_or(|cur| cmp_bson(&x, cur) == want) {
            *best = Some(x);
        }
    }
}

impl Acc {
    pub fn new(op: &str) -> Result<Acc, CmdError> {
        Ok(match op {
            "$sum" | "$count" => Acc::Sum(Bson::Int32(0)),
            "$avg" => Acc::Avg(0.0, 0),
            "$min" => Acc::Min(None),
            "$max" => Acc::Max(None),
            "$first" => Acc::First(None),
            "$last" => Acc::Last(Bson::Null),
            "$push" => Acc::Push(Vec::new()),
            "$addToSet" => Acc::AddToSet(Vec::new()),
            other => {
                return Err(CmdError::new(
                    15952,
                    "Location15952",
                    format!("unknown group operator '{other}'"),
                ))
            }
        })
    }

    pub fn add(&mut self, v: Option<Bson>) {
        match self {
            Acc::Sum(acc) => {
                if let Some(x) = v.filter(|x| to_f64(x).is_some()) {
                    *acc = super::update::add(acc, &x).unwrap_or(Bson::Null);
                }
            }
            Acc::Avg(s, n) => {
                if let Some(f) = v.as_ref().and_then(to_f64) {
                    *s += f;
                    *n += 1;
                }
            }
            Acc::Min(b) => keep(b, v, Ordering::Less),
            Acc::Max(b) => keep(b, v, Ordering::Greater),
            Acc::First(f) => {
                if f.is_none() {
                    *f = Some(v.unwrap_or(Bson::Null));
                }
            }
            Acc::Last(l) => *l = v.unwrap_or(Bson::Null),
            Acc::Push(a) => {
                if let Some(x) = v {
                    a.push(x);
                }
            }
            Acc::AddToSet(a) => {
                if let Some(x) = v {
                    if !a.iter().any(|e| super::compare::bson_eq(e, &x)) {
                        a.push(x);
                    }
                }
            }
        }
    }

    pub fn result(self) -> Bson {
        match self {
            Acc::Sum(s) => s,
            Acc::Avg(s, n) => {
                if n == 0 {
                    Bson::Null
                } else {
                    Bson::Double(s / n as f64)
                }
            }
            Acc::Min(b) | Acc::Max(b) | Acc::First(b) => b.unwrap_or(Bson::Null),
            Acc::Last(l) => l,
            Acc::Push(a) | Acc::AddToSet(a) => Bson::Array(a),
        }
    }
}
