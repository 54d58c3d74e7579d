//! Query filters: parsed once into a tree, then matched against many documents.
//! Supports equality (dotted paths, array membership), `$eq $ne $gt $gte $lt $lte $in $nin
//! $exists $regex $not $size $all $elemMatch $type`, and `$and $or $nor` (`$comment` ignored).

use std::cmp::Ordering;

use bson::{Bson, Document};

use super::compare::{bson_eq, cmp_bson, type_rank};
use super::path::lookup_all;
use super::regex::Regex;
use crate::error::CmdError;

#[derive(Debug, Clone)]
pub enum Filter {
    True,
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Nor(Vec<Filter>),
    Field(String, Vec<Pred>),
    /// `$expr`: an aggregation expression, true when it evaluates truthy.
    Expr(Bson),
}

#[derive(Debug, Clone)]
pub enum Pred {
    Eq(Bson),
    Ne(Bson),
    Cmp(Ordering, bool, Bson),
    In(Vec<Bson>, Vec<Regex>),
    Nin(Vec<Bson>, Vec<Regex>),
    Exists(bool),
    Regex(Regex),
    Not(Vec<Pred>),
    Size(i64),
    All(Vec<Bson>),
    ElemMatchValue(Vec<Pred>),
    ElemMatchDoc(Box<Filter>),
    Type(Vec<i32>),
    Mod(i64, i64),
}

fn bad(msg: impl Into<String>) -> CmdError {
    CmdError::bad_value(msg)
}

fn regex_from(v: &Bson, options: Option<&str>) -> Result<Regex, CmdError> {
    let (pat, opts) = match v {
        Bson::RegularExpression(r) => (
            r.pattern.clone(),
            options
                .map(str::to_string)
                .unwrap_or_else(|| r.options.clone()),
        ),
        Bson::String(s) => (s.clone(), options.unwrap_or_default().to_string()),
        _ => return Err(bad("$regex has to be a string")),
    };
    Regex::new(&pat, &opts).map_err(|e| {
        CmdError::new(
            51091,
            "Location51091",
            format!("Regular expression is invalid: {e}"),
        )
    })
}

/// The BSON type numbers `$type` accepts, by alias or number.
fn type_code(v: &Bson) -> Result<i32, CmdError> {
    let alias = |s: &str| -> Option<i32> {
        Some(match s {
            "double" => 1,
            "string" => 2,
            "object" => 3,
            "array" => 4,
            "binData" => 5,
            "undefined" => 6,
            "objectId" => 7,
            "bool" => 8,
            "date" => 9,
            "null" => 10,
            "regex" => 11,
            "javascript" => 13,
            "int" => 16,
            "timestamp" => 17,
            "long" => 18,
            "decimal" => 19,
            "minKey" => -1,
            "maxKey" => 127,
            "number" => 0,
            _ => return None,
        })
    };
    match v {
        Bson::String(s) => alias(s).ok_or_else(|| bad(format!("Unknown type name alias: {s}"))),
        other => super::compare::to_f64(other)
            .map(|f| f as i32)
            .ok_or_else(|| bad("type must be represented as a number or a string")),
    }
}

fn element_type(v: &Bson) -> i32 {
    v.element_type() as u8 as i8 as i32
}

/// mongod's error for `$where` in a query when server-side JavaScript is disabled.
pub fn no_script_engine() -> CmdError {
    CmdError::new(
        6108304,
        "Location6108304",
        "no globalScriptEngine in $where parsing",
    )
}

/// Whether a filter uses `$where` at its top level or inside `$and`/`$or`/`$nor` (an
/// aggregation `$match` refuses it before anything runs).
pub fn uses_where(d: &Document) -> bool {
    let mut stack = vec![d];
    while let Some(d) = stack.pop() {
        for (k, v) in d {
            match (k.as_str(), v) {
                ("$where", _) => return true,
                ("$and" | "$or" | "$nor", Bson::Array(a)) => {
                    stack.extend(a.iter().filter_map(Bson::as_document));
                }
                _ => {}
            }
        }
    }
    false
}

impl Filter {
    pub fn parse(d: &Document) -> Result<Filter, CmdError> {
        let mut parts = Vec::new();
        for (k, v) in d {
            if let Some(op) = k.strip_prefix('$') {
                match op {
                    "and" | "or" | "nor" => {
                        let arr = match v {
                            Bson::Array(a) if !a.is_empty() => a,
                            _ => return Err(bad(format!("{k} must be a nonempty array"))),
                        };
                        let mut subs = Vec::new();
                        for e in arr {
                            match e {
                                Bson::Document(sd) => subs.push(Filter::parse(sd)?),
                                _ => return Err(bad(format!("{k} argument's entries must be objects"))),
                            }
                        }
                        parts.push(match op {
                            "and" => Filter::And(subs),
                            "or" => Filter::Or(subs),
                            _ => Filter::Nor(subs),
                        });
                    }
                    "comment" => {}
                    // Evaluation errors (e.g. a type mismatch on some document) count as no match.
                    "expr" => parts.push(Filter::Expr(v.clone())),
                    // The sandbox runs no JavaScript: mongod's answer when its script engine
                    // is disabled (--noscripting).
                    "where" => return Err(no_script_engine()),
                    // Text indexes are kept in the catalog but not built: searching is refused.
                    "text" => {
                        return Err(CmdError::new(
                            20,
                            "IllegalOperation",
                            "rsh-sandbox does not support $text queries (text search is not simulated)",
                        ))
                    }
                    _ => return Err(bad(format!("unknown top level operator: {k}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField."))),
                }
            } else {
                parts.push(Filter::Field(k.clone(), parse_value(v)?));
            }
        }
        Ok(match parts.len() {
            0 => Filter::True,
            1 => parts.pop().unwrap_or(Filter::True),
            _ => Filter::And(parts),
        })
    }

    pub fn matches(&self, doc: &Document) -> bool {
        match self {
            Filter::True => true,
            Filter::And(fs) => fs.iter().all(|f| f.matches(doc)),
            Filter::Or(fs) => fs.iter().any(|f| f.matches(doc)),
            Filter::Nor(fs) => !fs.iter().any(|f| f.matches(doc)),
            Filter::Field(path, preds) => {
                let (vals, missing) = lookup_all(doc, path);
                preds.iter().all(|p| p.matches(&vals, missing))
            }
            Filter::Expr(e) => super::expr::eval(e, doc)
                .ok()
                .flatten()
                .is_some_and(|v| truthy(&v)),
        }
    }

    /// The `_id` value when the filter is exactly `{_id: <plain value>}` (index lookup).
    pub fn id_equality(&self) -> Option<&Bson> {
        match self {
            Filter::Field(p, preds) if p == "_id" && preds.len() == 1 => match &preds[0] {
                Pred::Eq(v)
                    if !matches!(v, Bson::Array(_) | Bson::Null | Bson::RegularExpression(_)) =>
                {
                    Some(v)
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// The predicates for one field's value: an operator object or an implicit equality.
fn parse_value(v: &Bson) -> Result<Vec<Pred>, CmdError> {
    match v {
        Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => parse_ops(d),
        Bson::RegularExpression(_) => Ok(vec![Pred::Regex(regex_from(v, None)?)]),
        other => Ok(vec![Pred::Eq(other.clone())]),
    }
}

fn list(v: &Bson, op: &str) -> Result<(Vec<Bson>, Vec<Regex>), CmdError> {
    let Bson::Array(a) = v else {
        return Err(bad(format!("{op} needs an array")));
    };
    let mut vals = Vec::new();
    let mut res = Vec::new();
    for e in a {
        match e {
            Bson::RegularExpression(_) => res.push(regex_from(e, None)?),
            Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                return Err(bad(format!("cannot nest $ under {op}")))
            }
            other => vals.push(other.clone()),
        }
    }
    Ok((vals, res))
}

fn parse_ops(d: &Document) -> Result<Vec<Pred>, CmdError> {
    let mut preds = Vec::new();
    let options = d
        .get("$options")
        .map(|o| o.as_str().ok_or_else(|| bad("$options has to be a string")))
        .transpose()?;
    for (k, v) in d {
        let p = match k.as_str() {
            "$eq" => Pred::Eq(v.clone()),
            "$ne" => Pred::Ne(v.clone()),
            "$gt" => Pred::Cmp(Ordering::Greater, false, v.clone()),
            "$gte" => Pred::Cmp(Ordering::Greater, true, v.clone()),
            "$lt" => Pred::Cmp(Ordering::Less, false, v.clone()),
            "$lte" => Pred::Cmp(Ordering::Less, true, v.clone()),
            "$in" => {
                let (a, r) = list(v, "$in")?;
                Pred::In(a, r)
            }
            "$nin" => {
                let (a, r) = list(v, "$nin")?;
                Pred::Nin(a, r)
            }
            "$exists" => Pred::Exists(truthy(v)),
            "$regex" => Pred::Regex(regex_from(v, options)?),
            "$options" => {
                if !d.contains_key("$regex") {
                    return Err(bad("$options needs a $regex"));
                }
                continue;
            }
            "$not" => match v {
                Bson::Document(sd) if sd.keys().next().is_some_and(|k| k.starts_with('$')) => {
                    Pred::Not(parse_ops(sd)?)
                }
                Bson::RegularExpression(_) => Pred::Not(vec![Pred::Regex(regex_from(v, None)?)]),
                Bson::Document(_) => return Err(bad("$not cannot be empty")),
                _ => return Err(bad("$not needs a regex or a document")),
            },
            "$size" => match super::compare::to_f64(v) {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => Pred::Size(n as i64),
                _ => return Err(bad("$size needs a number")),
            },
            "$all" => match v {
                Bson::Array(a) => Pred::All(a.clone()),
                _ => return Err(bad("$all needs an array")),
            },
            "$elemMatch" => match v {
                Bson::Document(sd)
                    if sd.keys().next().is_some_and(|k| {
                        k.starts_with('$') && !matches!(k.as_str(), "$and" | "$or" | "$nor")
                    }) =>
                {
                    Pred::ElemMatchValue(parse_ops(sd)?)
                }
                Bson::Document(sd) => Pred::ElemMatchDoc(Box::new(Filter::parse(sd)?)),
                _ => return Err(bad("$elemMatch needs an Object")),
            },
            "$type" => match v {
                Bson::Array(a) => Pred::Type(a.iter().map(type_code).collect::<Result<_, _>>()?),
                other => Pred::Type(vec![type_code(other)?]),
            },
            "$mod" => match v {
                Bson::Array(a) if a.len() == 2 => {
                    match (super::compare::to_f64(&a[0]), super::compare::to_f64(&a[1])) {
                        (Some(d), Some(_)) if d as i64 == 0 => {
                            return Err(bad("divisor cannot be 0"))
                        }
                        (Some(d), Some(r)) => Pred::Mod(d as i64, r as i64),
                        _ => {
                            return Err(bad("malformed mod, divisor and remainder must be numbers"))
                        }
                    }
                }
                Bson::Array(a) if a.len() < 2 => {
                    return Err(bad("malformed mod, not enough elements"))
                }
                Bson::Array(_) => return Err(bad("malformed mod, too many elements")),
                _ => return Err(bad("malformed mod, needs to be an array")),
            },
            "$comment" => continue,
            other => return Err(bad(format!("unknown operator: {other}"))),
        };
        preds.push(p);
    }
    Ok(preds)
}

/// `$exists`-style truthiness: false, 0 and null are false.
pub fn truthy(v: &Bson) -> bool {
    match v {
        Bson::Boolean(b) => *b,
        Bson::Null | Bson::Undefined => false,
        other => super::compare::to_f64(other).is_none_or(|f| f != 0.0),
    }
}

/// Each value plus, for arrays, their elements (one level): what equality and ranges look at.
fn candidates<'a>(vals: &[&'a Bson]) -> Vec<&'a Bson> {
    let mut out = Vec::with_capacity(vals.len());
    for v in vals {
        if let Bson::Array(a) = v {
            out.extend(a.iter());
        }
        out.push(*v);
    }
    out
}

fn eq_match(vals: &[&Bson], missing: bool, x: &Bson) -> bool {
    if matches!(x, Bson::Null) && (missing || vals.is_empty()) {
        return true;
    }
    candidates(vals)
        .iter()
        .any(|c| bson_eq(c, x) && (type_rank(c) == type_rank(x)))
}

fn regex_match(vals: &[&Bson], re: &Regex) -> bool {
    candidates(vals).iter().any(|c| match c {
        Bson::String(s) | Bson::Symbol(s) => re.is_match(s),
        _ => false,
    })
}

impl Pred {
    fn matches(&self, vals: &[&Bson], missing: bool) -> bool {
        match self {
            Pred::Eq(x) => eq_match(vals, missing, x),
            Pred::Ne(x) => !eq_match(vals, missing, x),
            Pred::Cmp(dir, or_eq, x) => {
                candidates(vals).iter().any(|c| {
                    if type_rank(c) != type_rank(x)
                        || matches!(c, Bson::Array(_)) != matches!(x, Bson::Array(_))
                    {
                        return false;
                    }
                    // NaN is only equal to NaN: $lt/$gt never match it, $lte/$gte only NaN.
                    let nan = |b: &Bson| super::compare::to_f64(b).is_some_and(f64::is_nan);
                    if nan(c) || nan(x) {
                        return *or_eq && nan(c) && nan(x);
                    }
                    let o = cmp_bson(c, x);
                    o == *dir || (*or_eq && o == Ordering::Equal)
                }) || (*or_eq && matches!(x, Bson::Null) && missing)
            }
            Pred::In(xs, res) => {
                xs.iter().any(|x| eq_match(vals, missing, x))
                    || res.iter().any(|r| regex_match(vals, r))
            }
            Pred::Nin(xs, res) => {
                !(xs.iter().any(|x| eq_match(vals, missing, x))
                    || res.iter().any(|r| regex_match(vals, r)))
            }
            Pred::Exists(want) => vals.is_empty() != *want,
            Pred::Regex(re) => regex_match(vals, re),
            Pred::Not(ps) => !ps.iter().all(|p| p.matches(vals, missing)),
            Pred::Size(n) => vals
                .iter()
                .any(|v| matches!(v, Bson::Array(a) if a.len() as i64 == *n)),
            Pred::All(xs) => !xs.is_empty() && xs.iter().all(|x| eq_match(vals, missing, x)),
            Pred::ElemMatchValue(ps) => vals.iter().any(|v| match v {
                Bson::Array(a) => a.iter().any(|e| ps.iter().all(|p| p.matches(&[e], false))),
                _ => false,
            }),
            Pred::ElemMatchDoc(f) => vals.iter().any(|v| match v {
                Bson::Array(a) => a
                    .iter()
                    .any(|e| matches!(e, Bson::Document(d) if f.matches(d))),
                _ => false,
            }),
            Pred::Mod(d, r) => candidates(vals).iter().any(|c| match c {
                Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) => super::compare::to_f64(c)
                    .is_some_and(|f| f.is_finite() && (f as i64).wrapping_rem(*d) == *r),
                _ => false,
            }),
            Pred::Type(codes) => candidates(vals).iter().any(|c| {
                let t = element_type(c);
                codes
                    .iter()
                    .any(|code| *code == t || (*code == 0 && type_rank(c) == 10))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn m(filter: Document, d: Document) -> bool {
        Filter::parse(&filter)
            .unwrap_or_else(|e| panic!("{e}"))
            .matches(&d)
    }

    #[test]
    fn equality_paths_and_arrays() {
        assert!(m(doc! {"a": 1}, doc! {"a": 1.0}));
        assert!(m(doc! {"a": 1}, doc! {"a": [3, 1]}));
        assert!(m(doc! {"a": [3, 1]}, doc! {"a": [3, 1]}));
        assert!(!m(doc! {"a": [1, 3]}, doc! {"a": [3, 1]}));
        assert!(m(doc! {"a.b": 2}, doc! {"a": [{"b": 1}, {"b": 2}]}));
        assert!(m(doc! {"a.b": 2}, doc! {"a": {"b": 2}}));
        assert!(m(doc! {"a.1": 5}, doc! {"a": [4, 5]}));
        assert!(m(doc! {"a": null}, doc! {"b": 1}));
        assert!(m(doc! {"a": null}, doc! {"a": null}));
        assert!(!m(doc! {"a": null}, doc! {"a": 0}));
        assert!(!m(doc! {"a": "1"}, doc! {"a": 1}));
        assert!(m(doc! {"a": {"x": 1}}, doc! {"a": {"x": 1}}));
        assert!(!m(doc! {"a": {"x": 1}}, doc! {"a": {"x": 1, "y": 2}}));
        assert!(m(doc! {}, doc! {"z": 1}));
    }

    #[test]
    fn comparison_operators_stay_within_type() {
        assert!(m(doc! {"a": {"$gt": 1}}, doc! {"a": 2i64}));
        assert!(!m(doc! {"a": {"$gt": 1}}, doc! {"a": "zzz"}));
        assert!(m(doc! {"a": {"$gte": 2, "$lt": 3}}, doc! {"a": 2.5}));
        assert!(!m(doc! {"a": {"$gte": 2, "$lt": 3}}, doc! {"a": 3}));
        assert!(m(doc! {"a": {"$lte": 1}}, doc! {"a": [5, 0]}));
        assert!(m(doc! {"a": {"$gt": "b"}}, doc! {"a": "c"}));
        assert!(!m(doc! {"a": {"$lt": 5}}, doc! {"b": 1}));
        // NaN compares equal only to NaN.
        assert!(!m(doc! {"a": {"$lt": 5}}, doc! {"a": f64::NAN}));
        assert!(!m(doc! {"a": {"$gt": f64::NAN}}, doc! {"a": 5}));
        assert!(m(doc! {"a": {"$gte": f64::NAN}}, doc! {"a": f64::NAN}));
        assert!(m(doc! {"a": f64::NAN}, doc! {"a": f64::NAN}));
    }

    #[test]
    fn set_and_existence_operators() {
        assert!(m(doc! {"a": {"$in": [1, 2]}}, doc! {"a": 2}));
        assert!(m(doc! {"a": {"$in": [null]}}, doc! {}));
        assert!(!m(doc! {"a": {"$nin": [1, 2]}}, doc! {"a": [2, 9]}));
        assert!(m(doc! {"a": {"$nin": [1, 2]}}, doc! {}));
        assert!(m(doc! {"a": {"$ne": 1}}, doc! {"a": 2}));
        assert!(!m(doc! {"a": {"$ne": 1}}, doc! {"a": [1, 2]}));
        assert!(m(doc! {"a": {"$ne": 1}}, doc! {}));
        assert!(m(doc! {"a": {"$exists": true}}, doc! {"a": null}));
        assert!(m(doc! {"a": {"$exists": false}}, doc! {"b": 1}));
        assert!(m(doc! {"a": {"$exists": 0}}, doc! {"b": 1}));
        assert!(m(doc! {"a": {"$eq": 3}}, doc! {"a": 3}));
        assert!(m(doc! {"a": {"$size": 2}}, doc! {"a": [1, 2]}));
        assert!(m(doc! {"a": {"$all": [1, 2]}}, doc! {"a": [2, 3, 1]}));
        assert!(m(
            doc! {"a": {"$elemMatch": {"$gt": 1, "$lt": 3}}},
            doc! {"a": [0, 2, 5]}
        ));
        assert!(!m(
            doc! {"a": {"$elemMatch": {"$gt": 1, "$lt": 2}}},
            doc! {"a": [0, 2, 5]}
        ));
        assert!(m(
            doc! {"a": {"$elemMatch": {"x": 1, "y": 2}}},
            doc! {"a": [{"x": 1, "y": 2}]}
        ));
        assert!(m(doc! {"a": {"$type": "string"}}, doc! {"a": "s"}));
        assert!(m(doc! {"a": {"$type": "number"}}, doc! {"a": 2i64}));
        assert!(m(doc! {"a": {"$mod": [4, 1]}}, doc! {"a": 9}));
        assert!(!m(doc! {"a": {"$mod": [4, 1]}}, doc! {"a": 8}));
        assert!(m(
            doc! {"$expr": {"$gt": ["$a", "$b"]}},
            doc! {"a": 3, "b": 1}
        ));
        assert!(!m(
            doc! {"$expr": {"$gt": ["$a", "$b"]}},
            doc! {"a": 0, "b": 1}
        ));
    }

    #[test]
    fn logical_and_regex_operators() {
        assert!(m(doc! {"$or": [{"a": 1}, {"b": 2}]}, doc! {"b": 2}));
        assert!(!m(doc! {"$and": [{"a": 1}, {"b": 2}]}, doc! {"b": 2}));
        assert!(m(doc! {"$nor": [{"a": 1}, {"b": 3}]}, doc! {"b": 2}));
        assert!(m(
            doc! {"a": {"$regex": "^ab", "$options": "i"}},
            doc! {"a": "ABc"}
        ));
        assert!(m(
            doc! {"a": bson::Regex { pattern: "c$".into(), options: String::new() }},
            doc! {"a": ["x", "abc"]}
        ));
        assert!(m(doc! {"a": {"$not": {"$gt": 5}}}, doc! {"a": 3}));
        assert!(m(doc! {"a": {"$not": {"$gt": 5}}}, doc! {}));
        assert!(m(
            doc! {"a": {"$in": [bson::Regex { pattern: "^x".into(), options: String::new() }]}},
            doc! {"a": "xy"}
        ));
    }

    #[test]
    fn bad_filters_are_errors() {
        for f in [
            doc! {"$and": []},
            doc! {"$or": 1},
            doc! {"$where": "1"},
            doc! {"a": {"$foo": 1}},
            doc! {"a": {"$in": 1}},
            doc! {"a": {"$regex": "("}},
            doc! {"a": {"$size": -1}},
            doc! {"a": {"$type": "nope"}},
            doc! {"a": {"$mod": [0, 1]}},
            doc! {"a": {"$mod": [1]}},
        ] {
            let e = Filter::parse(&f)
                .err()
                .unwrap_or_else(|| panic!("accepted {f}"));
            assert!(
                e.code == 2 || e.code == 51091 || e.code == 6108304,
                "{f}: {e}"
            );
        }
    }
}
