//! The `explain` command (and aggregate's `explain: true`) for find, count, distinct, aggregate,
//! update, delete and findAndModify, in mongod 7.0's shape. Nothing is written: the plan is chosen
//! and run read-only to fill executionStats.

use std::time::Instant;

use bson::{doc, Bson, Document};

use super::collection::Collection;
use super::commands::{coll_arg, count_arg, doc_arg, ok};
use super::engine::Engine;
use super::explain_plan::{access_stage, int, wrap, Counts};
use super::matcher::Filter;
use super::planner::{self, Plan, Target};
use super::sort::Sort;
use super::CmdOutcome;
use crate::error::CmdError;

const VERBOSITIES: [&str; 3] = ["queryPlanner", "executionStats", "allPlansExecution"];

/// The parts of an explained command the planner needs.
#[derive(Default)]
struct Query {
    coll: String,
    filter: Document,
    hint: Option<Bson>,
    sort: Option<Document>,
    skip: u64,
    limit: Option<u64>,
    projection: Option<Document>,
    /// count / UPDATE / DELETE stage on top of the plan.
    top: Option<&'static str>,
    /// Only the first matching document is affected (update without multi, findAndModify).
    single: bool,
    /// Aggregation stages after the leading `$match`.
    rest: Vec<Bson>,
}

fn first_stmt(inner: &Document, key: &str) -> Result<Document, CmdError> {
    match inner.get(key) {
        Some(Bson::Array(a)) => match a.first() {
            Some(Bson::Document(d)) => Ok(d.clone()),
            _ => Err(CmdError::bad_value(format!(
                "{key} must hold at least one statement"
            ))),
        },
        _ => Err(CmdError::new(
            40414,
            "Location40414",
            format!("BSON field '{key}' is missing but a required field"),
        )),
    }
}

fn parse_query(name: &str, inner: &Document, db: &str) -> Result<Query, CmdError> {
    let mut q = Query {
        coll: coll_arg(inner, name, db)?,
        hint: inner.get("hint").cloned(),
        ..Query::default()
    };
    match name {
        "find" => {
            for bound in ["min", "max"] {
                if doc_arg(inner, "FindCommandRequest", bound)?.is_some_and(|d| !d.is_empty()) {
                    // The plan shape of index bounds from min/max is not modelled.
                    return Err(CmdError::new(
                        20,
                        "IllegalOperation",
                        format!("rsh-sandbox does not explain a find with '{bound}'"),
                    ));
                }
            }
            for flag in ["returnKey", "showRecordId"] {
                if inner.get(flag).is_some_and(super::matcher::truthy) {
                    return Err(CmdError::new(
                        20,
                        "IllegalOperation",
                        format!("rsh-sandbox does not explain a find with '{flag}'"),
                    ));
                }
            }
            q.filter = doc_arg(inner, "FindCommandRequest", "filter")?.unwrap_or_default();
            q.sort = doc_arg(inner, "FindCommandRequest", "sort")?;
            q.projection = doc_arg(inner, "FindCommandRequest", "projection")?;
            q.skip = count_arg(inner, "FindCommandRequest", "skip")?.unwrap_or(0) as u64;
            q.limit = count_arg(inner, "FindCommandRequest", "limit")?
                .filter(|l| *l > 0)
                .map(|l| l as u64);
        }
        "count" => {
            q.filter = doc_arg(inner, "count", "query")?.unwrap_or_default();
            q.top = Some("COUNT");
        }
        "distinct" => q.filter = doc_arg(inner, "distinct", "query")?.unwrap_or_default(),
        "aggregate" => {
            let mut stages = match inner.get("pipeline") {
                Some(Bson::Array(a)) => a.clone(),
                _ => {
                    return Err(CmdError::type_mismatch(
                        "'pipeline' option must be specified as an array",
                    ))
                }
            };
            if let Some(Bson::Document(first)) = stages.first() {
                if let Some(Bson::Document(m)) = first.get("$match") {
                    q.filter = m.clone();
                    stages.remove(0);
                }
            }
            q.rest = stages;
        }
        "update" => {
            let st = first_stmt(inner, "updates")?;
            q.filter = st.get_document("q").cloned().unwrap_or_default();
            q.hint = st.get("hint").cloned();
            q.single = !st.get("multi").is_some_and(super::matcher::truthy);
            q.top = Some("UPDATE");
        }
        "delete" => {
            let st = first_stmt(inner, "deletes")?;
            q.filter = st.get_document("q").cloned().unwrap_or_default();
            q.hint = st.get("hint").cloned();
            q.single = st.get("limit").and_then(super::compare::to_f64) == Some(1.0);
            q.top = Some("DELETE");
        }
        _ => {
            q.filter = doc_arg(inner, "findAndModify", "query")?.unwrap_or_default();
            q.sort = doc_arg(inner, "findAndModify", "sort")?;
            q.single = true;
            let remove = inner.get("remove").is_some_and(super::matcher::truthy);
            q.top = Some(if remove { "DELETE" } else { "UPDATE" });
        }
    }
    Ok(q)
}

/// mongod's normalized filter: implicit equalities become `$eq`, several conditions an `$and`.
pub fn parsed_query(filter: &Document) -> Document {
    let mut parts: Vec<Document> = Vec::new();
    for (k, v) in filter {
        match v {
            _ if k.starts_with('$') => parts.push(doc! {k: v.clone()}),
            Bson::Document(d) if d.keys().next().is_some_and(|o| o.starts_with('$')) => {
                for (op, arg) in d {
                    parts.push(doc! {k: {op: arg.clone()}});
                }
            }
            Bson::RegularExpression(_) => parts.push(doc! {k: {"$regex": v.clone()}}),
            other => parts.push(doc! {k: {"$eq": other.clone()}}),
        }
    }
    match parts.len() {
        0 => Document::new(),
        1 => parts.pop().unwrap_or_default(),
        _ => doc! {"$and": parts.into_iter().map(Bson::Document).collect::<Vec<_>>()},
    }
}

/// The query's shape (field names and operators, not values): what `queryHash` hashes.
fn shape(v: &Bson, out: &mut String) {
    match v {
        Bson::Document(d) => {
            for (k, x) in d {
                out.push_str(k);
                out.push('{');
                shape(x, out);
                out.push('}');
            }
        }
        Bson::Array(a) => a.iter().for_each(|x| shape(x, out)),
        other => out.push_str(&format!("{:?}", other.element_type())),
    }
}

fn hash_hex(s: &str) -> String {
    format!("{:08X}", crc32c::crc32c(s.as_bytes()))
}

fn server_info(e: &Engine) -> Document {
    let (host, port) = e.server_address();
    doc! {
        "host": host,
        "port": port,
        "version": crate::options::SERVER_VERSION,
        "gitVersion": "0000000000000000000000000000000000000000",
    }
}

fn server_parameters() -> Document {
    let mb100 = 104_857_600;
    doc! {
        "internalQueryFacetBufferSizeBytes": mb100,
        "internalQueryFacetMaxOutputDocSizeBytes": mb100,
        "internalLookupStageIntermediateDocumentMaxSizeBytes": mb100,
        "internalDocumentSourceGroupMaxMemoryBytes": mb100,
        "internalQueryMaxBlockingSortMemoryUsageBytes": mb100,
        "internalQueryProhibitBlockingMergeOnMongoS": 0,
        "internalQueryMaxAddToSetBytes": mb100,
        "internalDocumentSourceSetWindowFieldsMaxMemoryBytes": mb100,
        "internalQueryFrameworkControl": "trySbeRestricted",
    }
}

/// Runs `plan` read-only: the stage trees and how many documents came out of them.
fn run_plan(
    e: &Engine,
    db: &str,
    q: &Query,
    f: &Filter,
    (plan, sorted): (&Plan, bool),
    parsed: &Document,
) -> (Document, Document, u64) {
    let Some(c) = e.coll(db, &q.coll) else {
        let trees = (doc! {"stage": "EOF"}, doc! {"stage": "EOF", "nReturned": 0});
        return (trees.0, trees.1, 0);
    };
    if q.top == Some("COUNT") && q.filter.is_empty() && q.hint.is_none() {
        // An unfiltered count reads the collection's document count.
        let p = doc! {"stage": "RECORD_STORE_FAST_COUNT"};
        let mut x = doc! {"stage": "RECORD_STORE_FAST_COUNT", "nReturned": 0, "executionTimeMillisEstimate": 0,
        "works": 1, "advanced": 0, "needTime": 0, "needYield": 0, "saveState": 0, "restoreState": 0, "isEOF": 1};
        x.insert("nCounted", int(c.count()));
        x.insert("nSkipped", 0);
        return (p, x, 0);
    }
    // Without a blocking sort, the plan stops once skip + limit documents came out.
    let max = q
        .limit
        .filter(|_| sorted || q.sort.is_none())
        .map(|l| q.skip + l);
    let ex = planner::execute_limited(c, plan, f, max);
    let matched = ex.docs.len() as u64;
    let counts = Counts {
        matched,
        keys: ex.keys_examined,
        docs: ex.docs_examined,
    };
    let residual = match plan {
        Plan::Ixscan { target, .. } => residual(c, *target, parsed),
        _ => parsed.clone(),
    };
    let mut trees = access_stage(c, plan, &residual, counts);
    let mut n = matched;
    if let (Some(s), false) = (&q.sort, sorted) {
        if let Ok(Some(Sort::Keys(_))) = Sort::parse(s) {
            let mut fields =
                doc! {"sortPattern": s.clone(), "memLimit": 104_857_600, "type": "simple"};
            if let Some(l) = q.limit {
                fields.insert("limitAmount", int(l));
            }
            let out = q.limit.map_or(n, |l| n.min(q.skip + l));
            trees = wrap(trees, "SORT", fields, out, n);
            n = out;
        }
    }
    if q.skip > 0 {
        let out = n.saturating_sub(q.skip);
        trees = wrap(trees, "SKIP", doc! {"skipAmount": int(q.skip)}, out, n);
        n = out;
    }
    if let (Some(l), true) = (q.limit, sorted || q.sort.is_none()) {
        let out = n.min(l);
        trees = wrap(trees, "LIMIT", doc! {"limitAmount": int(l)}, out, n);
        n = out;
    }
    if let Some(p) = q.projection.as_ref().filter(|p| !p.is_empty()) {
        trees = wrap(
            trees,
            "PROJECTION_SIMPLE",
            doc! {"transformBy": p.clone()},
            n,
            n,
        );
    }
    if q.single {
        n = n.min(1);
    }
    match q.top {
        Some("COUNT") => trees = wrap(trees, "COUNT", Document::new(), 0, n),
        Some(stage) => {
            let mut fields = Document::new();
            if stage == "UPDATE" {
                fields.insert("nMatched", int(n));
                fields.insert("nWouldModify", int(n));
                fields.insert("nWouldUpsert", 0);
            } else {
                fields.insert("nWouldDelete", int(n));
            }
            let (p, mut x) = wrap(trees, stage, Document::new(), 0, n);
            x.extend(fields);
            trees = (p, x);
            n = 0;
        }
        None => {}
    }
    (trees.0, trees.1, n)
}

/// Whether the index bounds alone decide `{field: {op: v}}` (mongod then leaves it out of the
/// FETCH filter): a bounded operator on a non-multikey field of the index.
fn covered(c: &Collection, target: Target, part: &Document) -> bool {
    let Some((field, Bson::Document(ops))) = part.iter().next() else {
        return false;
    };
    let (fields, multikey) = match target {
        Target::Id => (vec!["_id".to_string()], false),
        Target::Sec(i) => match c.secondary.get(i) {
            Some(ix) => (ix.fields.clone(), ix.multikey_fields.contains(field)),
            None => return false,
        },
    };
    let exact = ops.iter().all(|(op, v)| match op.as_str() {
        "$in" => true,
        "$eq" | "$gt" | "$gte" | "$lt" | "$lte" => !matches!(v, Bson::Array(_)),
        _ => false,
    });
    if !fields.contains(field) || multikey || !exact || part.len() != 1 {
        return false;
    }
    match Filter::parse(part) {
        Ok(Filter::Field(_, preds)) => preds.iter().all(|p| {
            planner::pred_intervals(p).is_some()
                && !matches!(p, super::matcher::Pred::In(vals, _) if vals.iter().any(|v| matches!(v, Bson::Array(_))))
        }),
        _ => false,
    }
}

/// The part of the normalized filter the FETCH stage still has to check.
fn residual(c: &Collection, target: Target, parsed: &Document) -> Document {
    let parts: Vec<Document> = match parsed.get_array("$and") {
        Ok(a) if parsed.len() == 1 => a.iter().filter_map(|p| p.as_document().cloned()).collect(),
        _ if parsed.is_empty() => Vec::new(),
        _ => vec![parsed.clone()],
    };
    let mut left: Vec<Document> = parts
        .into_iter()
        .filter(|p| !covered(c, target, p))
        .collect();
    match left.len() {
        0 => Document::new(),
        1 => left.pop().unwrap_or_default(),
        _ => doc! {"$and": left.into_iter().map(Bson::Document).collect::<Vec<_>>()},
    }
}

/// The explain reply for inner command `inner` (run against `db`) at `verbosity`.
pub fn explain_command(
    e: &Engine,
    db: &str,
    inner: &Document,
    verbosity: &str,
) -> Result<Document, CmdError> {
    let name = inner.keys().next().cloned().unwrap_or_default();
    let name = match name.as_str() {
        "find" | "count" | "distinct" | "aggregate" | "update" | "delete" => name,
        "findAndModify" | "findandmodify" => "findAndModify".to_string(),
        other => {
            return Err(CmdError::new(
                59,
                "CommandNotFound",
                format!("Explain failed due to unknown command: {other}"),
            ))
        }
    };
    let q = parse_query(&name, inner, db)?;
    let ns = format!("{db}.{}", q.coll);
    let f = Filter::parse(&q.filter)?;
    let started = Instant::now();
    let keys = match q.sort.as_ref().map(Sort::parse).transpose()?.flatten() {
        Some(Sort::Keys(k)) => k,
        _ => Vec::new(),
    };
    let (plan, rejected, sorted) = match e.coll(db, &q.coll) {
        Some(c) => {
            let (p, rejected) = planner::plan(c, &f, &q.filter, q.hint.as_ref(), &ns)?;
            let (p, sorted) = if keys.is_empty() {
                (p, false)
            } else {
                planner::order(c, p, &keys, q.hint.is_some())
            };
            (p, rejected, sorted)
        }
        None => (Plan::Collscan { forward: true }, Vec::new(), false),
    };
    let parsed = parsed_query(&q.filter);
    let (winning, stages, returned) = run_plan(e, db, &q, &f, (&plan, sorted), &parsed);
    let elapsed = started.elapsed().as_millis() as i64;
    let mut hash_src = String::new();
    shape(&Bson::Document(parsed.clone()), &mut hash_src);
    let query_hash = hash_hex(&hash_src);
    hash_src.push_str(&ns);
    let mut qp = doc! {
        "namespace": &ns,
        "indexFilterSet": false,
        "parsedQuery": parsed.clone(),
        "queryHash": query_hash,
        "planCacheKey": hash_hex(&hash_src),
        "maxIndexedOrSolutionsReached": false,
        "maxIndexedAndSolutionsReached": false,
        "maxScansToExplodeReached": false,
        "winningPlan": winning,
    };
    let mut rejected_docs = Vec::new();
    let mut all_plans = Vec::new();
    for p in &rejected {
        let (w, x, n) = run_plan(e, db, &q, &f, (p, false), &parsed);
        rejected_docs.push(Bson::Document(w));
        all_plans.push(Bson::Document(
            doc! {"nReturned": int(n), "executionTimeMillisEstimate": 0, "executionStages": x},
        ));
    }
    qp.insert("rejectedPlans", rejected_docs);
    let mut out = doc! {"explainVersion": "1"};
    let mut exec = None;
    if verbosity != "queryPlanner" {
        let (keys, docs) = totals(&stages);
        let mut ex = doc! {
            "executionSuccess": true,
            "nReturned": int(returned),
            "executionTimeMillis": elapsed,
            "totalKeysExamined": int(keys as u64),
            "totalDocsExamined": int(docs as u64),
            "executionStages": stages,
        };
        if verbosity == "allPlansExecution" {
            ex.insert("allPlansExecution", all_plans);
        }
        exec = Some(ex);
    }
    if q.rest.is_empty() {
        out.insert("queryPlanner", qp);
        if let Some(ex) = exec {
            out.insert("executionStats", ex);
        }
    } else {
        let mut cursor = doc! {"queryPlanner": qp};
        if let Some(ex) = exec {
            cursor.insert("executionStats", ex);
        }
        let mut stages = vec![Bson::Document(doc! {"$cursor": cursor})];
        stages.extend(q.rest.iter().cloned());
        out.insert("stages", stages);
    }
    let mut command = inner.clone();
    command.remove("explain");
    command.insert("$db", db);
    out.insert("command", command);
    out.insert("serverInfo", server_info(e));
    out.insert("serverParameters", server_parameters());
    Ok(out)
}

/// Sums keysExamined / docsExamined over a stage tree.
fn totals(stage: &Document) -> (i64, i64) {
    let own = |k: &str| stage.get(k).and_then(super::compare::to_f64).unwrap_or(0.0) as i64;
    let (mut keys, mut docs) = (own("keysExamined"), own("docsExamined"));
    if let Ok(input) = stage.get_document("inputStage") {
        let (k, d) = totals(input);
        keys += k;
        docs += d;
    }
    (keys, docs)
}

pub fn explain(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let inner = match cmd.get("explain") {
        Some(Bson::Document(d)) if !d.is_empty() => d.clone(),
        Some(Bson::Document(_)) => {
            return Err(CmdError::bad_value(
                "explain command requires a nested object",
            ))
        }
        _ => {
            return Err(CmdError::type_mismatch(
                "BSON field 'explain.explain' is the wrong type, expected type 'object'",
            ))
        }
    };
    let verbosity = match cmd.get("verbosity") {
        None => "allPlansExecution".to_string(),
        Some(Bson::String(s)) if VERBOSITIES.contains(&s.as_str()) => s.clone(),
        Some(_) => {
            return Err(CmdError::bad_value(
                "verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}",
            ))
        }
    };
    let reply = explain_command(e, db, &inner, &verbosity)?;
    Ok(ok(reply, None))
}
