//! The node's side of tailable cursors and change streams: an awaitData getMore that finds
//! nothing new waits (up to its `maxTimeMS`, 1 s by default, as mongod) for the next write and
//! tries again; change streams see entries up to the majority commit point, which is handed to
//! the store before they read, and exist only on replica sets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{Bson, Document};

use crate::data::{CmdOutcome, OpTime};
use crate::error::CmdError;
use crate::node::dispatch::Request;
use crate::node::Node;

/// mongod's wait for an awaitData getMore without maxTimeMS.
const DEFAULT_AWAIT: Duration = Duration::from_secs(1);
/// How often a waiting getMore looks again when nothing signals new data (local capped
/// collections write no oplog entries).
const IDLE_RECHECK: Duration = Duration::from_millis(100);
const POLL: Duration = Duration::from_millis(5);

/// True for an aggregate whose first stage is `$changeStream`.
pub fn is_change_stream(req: &Request) -> bool {
    req.name == "aggregate"
        && matches!(req.cmd.get("pipeline"), Some(Bson::Array(p))
            if p.first().and_then(Bson::as_document).is_some_and(|s| s.contains_key("$changeStream")))
}

/// Checks and preparations before the store runs a getMore or a change-stream aggregate.
pub fn prepare(node: &Node, req: &Request) -> Result<(), CmdError> {
    let committed = {
        let repl = node.repl();
        if repl.set_name.is_none() && is_change_stream(req) {
            return Err(CmdError::new(
                40573,
                "Location40573",
                "The $changeStream stage is only supported on replica sets",
            ));
        }
        repl.last_committed
    };
    if req.name == "getMore" || is_change_stream(req) {
        node.store.set_visible_ts(committed.ts);
    }
    Ok(())
}

/// Whether `reply` (a getMore's) came back empty with its cursor still open.
fn empty_and_open(reply: &Document) -> bool {
    let Ok(c) = reply.get_document("cursor") else {
        return false;
    };
    let empty = c.get_array("nextBatch").is_ok_and(|b| b.is_empty());
    let open = !matches!(
        c.get("id"),
        Some(Bson::Int64(0)) | Some(Bson::Int32(0)) | None
    );
    empty && open
}

/// How long this getMore may wait for data (None: it does not wait).
pub fn await_budget(node: &Node, req: &Request) -> Option<Duration> {
    if req.name != "getMore" {
        return None;
    }
    let id = match req.cmd.get("getMore") {
        Some(Bson::Int64(i)) => *i,
        Some(Bson::Int32(i)) => i64::from(*i),
        _ => return None,
    };
    if node.store.cursor_awaits_data(id) != Some(true) {
        return None;
    }
    Some(match req.cmd.get("maxTimeMS") {
        Some(Bson::Int32(m)) if *m > 0 => Duration::from_millis(*m as u64),
        Some(Bson::Int64(m)) if *m > 0 => Duration::from_millis(*m as u64),
        Some(Bson::Double(m)) if *m >= 1.0 => Duration::from_millis(*m as u64),
        _ => DEFAULT_AWAIT,
    })
}

/// Runs `run_once` (the store's getMore) until it returns data, the cursor ends, or `budget`
/// is spent, sleeping between tries until the oplog or the commit point moves.
pub async fn await_data<F, Fut>(
    node: &Arc<Node>,
    req: &Request,
    budget: Duration,
    run_once: F,
) -> Result<CmdOutcome, CmdError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<CmdOutcome, CmdError>>,
{
    let deadline = Instant::now() + budget;
    loop {
        let seen = marks(node);
        let out = run_once().await?;
        if !empty_and_open(&out.reply) || Instant::now() >= deadline {
            return Ok(out);
        }
        let since = Instant::now();
        while Instant::now() < deadline && marks(node) == seen && since.elapsed() < IDLE_RECHECK {
            tokio::time::sleep(POLL).await;
        }
        prepare(node, req)?;
    }
}

/// What moves when there may be something new to read: the newest entry and the commit point.
fn marks(node: &Node) -> (OpTime, OpTime) {
    (node.store.last_applied(), node.repl().last_committed)
}
