//! `currentOp` and `killOp` (admin database), over the node's registry of running commands.

use bson::{doc, Bson, Document};

use crate::data::{truthy, DocFilter};
use crate::error::CmdError;
use crate::node::dispatch::Request;
use crate::node::Node;

/// Arguments of `currentOp` that are not part of its filter.
fn is_option(key: &str) -> bool {
    key.starts_with('$')
        || matches!(
            key,
            "currentOp" | "comment" | "lsid" | "txnNumber" | "apiVersion" | "apiStrict"
        )
}

/// `{currentOp: 1, $all?, $ownOps?, <filter fields>}` → `{inprog: [...]}`.
pub fn current_op(node: &Node, req: &Request) -> Result<Document, CmdError> {
    let all = req.cmd.get("$all").is_some_and(truthy);
    let own = req.cmd.get("$ownOps").is_some_and(truthy);
    let mut filter = Document::new();
    for (k, v) in req.cmd.iter() {
        if !is_option(k) {
            filter.insert(k.clone(), v.clone());
        }
    }
    let filter = DocFilter::parse(&filter)?;
    let host = format!("{}:{}", crate::node::hostname(), node.port());
    let inprog: Vec<Bson> = node
        .ops
        .report(&host, all)
        .into_iter()
        .filter(|d| !own || d.get_i32("connectionId") == Ok(req.conn.id))
        .filter(|d| filter.matches(d))
        .map(Bson::Document)
        .collect();
    Ok(doc! {"inprog": inprog})
}

/// `{killOp: 1, op: <opid>}`: tells the operation to stop; `{info: "attempting to kill op"}`.
pub fn kill_op(node: &Node, req: &Request) -> Result<Document, CmdError> {
    let opid = match req.cmd.get("op") {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Double(f)) if f.fract() == 0.0 => *f as i64,
        Some(_) => {
            return Err(CmdError::type_mismatch(
                "killOp: 'op' must be a number (an opid from currentOp)",
            ))
        }
        None => {
            return Err(CmdError::new(
                4,
                "NoSuchKey",
                "Missing expected field \"op\"",
            ))
        }
    };
    node.ops.kill(opid);
    Ok(doc! {"info": "attempting to kill op"})
}
