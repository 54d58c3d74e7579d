//! getParameter / setParameter for what a member changes at runtime: the replication parameters
//! the sandbox honours (`replBatchLimitOperations`, `replBatchLimitBytes`: how secondaries batch
//! oplog application) and the feature compatibility version (read from `admin.system.version`).
//! Other parameters come from info.rs's fixed list; setting anything else is refused.

use std::sync::Arc;

use bson::{doc, Bson, Document};

use crate::error::CmdError;
use crate::node::dispatch::Request;
use crate::node::Node;

/// Runtime parameters with their accepted range (mongod's bounds).
const RANGES: &[(&str, i64, i64)] = &[
    ("replBatchLimitOperations", 1, 1_000_000),
    ("replBatchLimitBytes", 16 * 1024 * 1024, 100 * 1024 * 1024),
];

fn ours(node: &Node) -> Document {
    let p = node.admin.params();
    doc! {
        "featureCompatibilityVersion": super::admin::fcv(node),
        "replBatchLimitOperations": p.batch_limit_ops as i32,
        "replBatchLimitBytes": p.batch_limit_bytes as i32,
        // Set at startup (`--setParameter enableTestCommands=1`): configureFailPoint exists.
        "enableTestCommands": node.fail_points.enabled(),
    }
}

pub fn get(node: &Node, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let mine = ours(node);
    if matches!(req.arg(), Some(Bson::String(s)) if s == "*") {
        let mut all = super::info::get_parameter(req)?;
        all.extend(mine);
        return Ok(all);
    }
    // Names we answer here, the rest for info.rs's list.
    let mut rest = Document::new();
    let mut out = Document::new();
    for (k, v) in req.cmd.iter() {
        match mine.get(k) {
            Some(value) if k != &req.name => {
                out.insert(k.as_str(), value.clone());
            }
            _ => {
                rest.insert(k.as_str(), v.clone());
            }
        }
    }
    let others = rest
        .keys()
        .skip(1)
        .any(|k| !super::fields::GENERIC.contains(&k.as_str()));
    if others || out.is_empty() {
        let mut inner = req.clone();
        inner.cmd = Arc::new(rest);
        let got = super::info::get_parameter(&inner)?;
        for (k, v) in got {
            out.insert(k, v);
        }
    }
    Ok(out)
}

pub fn set(node: &Node, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let mut changes: Vec<(&str, i64)> = Vec::new();
    for (k, v) in req.cmd.iter().skip(1) {
        if super::fields::GENERIC.contains(&k.as_str()) {
            continue;
        }
        let Some(&(name, lo, hi)) = RANGES.iter().find(|(n, _, _)| n == k) else {
            return Err(CmdError::new(
                72,
                "InvalidOptions",
                format!(
                    "attempted to set unrecognized parameter [{k}], use help:true to see options "
                ),
            ));
        };
        let n = match v {
            Bson::Int32(n) => i64::from(*n),
            Bson::Int64(n) => *n,
            Bson::Double(f) if f.fract() == 0.0 => *f as i64,
            other => {
                return Err(CmdError::bad_value(format!(
                    "Invalid value for parameter {name}: {other} is not a valid integer"
                )))
            }
        };
        if !(lo..=hi).contains(&n) {
            return Err(CmdError::bad_value(format!(
                "Invalid value for parameter {name}: {n} is not between {lo} and {hi}"
            )));
        }
        changes.push((name, n));
    }
    let Some(&(first, _)) = changes.first() else {
        return Err(CmdError::new(
            72,
            "InvalidOptions",
            "no option found to set, use help:true to see options ",
        ));
    };
    let was = ours(node).get(first).cloned().unwrap_or(Bson::Null);
    node.admin.set_params(|p| {
        for (name, n) in &changes {
            match *name {
                "replBatchLimitOperations" => p.batch_limit_ops = *n,
                _ => p.batch_limit_bytes = *n,
            }
        }
    });
    Ok(doc! {"was": was})
}
