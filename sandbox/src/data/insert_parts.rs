//! A large insert applied in parts: mongod writes each document in its own unit of work, so a
//! 100,000-document insert never keeps other work (replication reads, heartbeat-driven state,
//! other clients) waiting for its whole duration. Here the insert takes the store lock for a
//! part of its documents at a time, journals and publishes that part, and lets anyone waiting
//! for the lock in before the next part.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bson::{Bson, Document};

use super::{commands, out_of_disk, CmdOutcome, OpTime, Store};
use crate::error::CmdError;

/// Documents written under one hold of the store lock (a few tens of milliseconds in a debug
/// build).
pub const PART: usize = 1000;

/// How long the insert stands aside between parts while others wait for the lock.
const STAND_ASIDE: Duration = Duration::from_millis(2);

/// An `insert` with more documents than one part, outside a transaction.
pub fn applies(cmd: &Document) -> Option<usize> {
    if cmd.keys().next().map(String::as_str) != Some("insert")
        || cmd.contains_key("autocommit")
        || cmd.contains_key("startTransaction")
    {
        return None;
    }
    match cmd.get("documents") {
        Some(Bson::Array(a)) if a.len() > PART => Some(a.len()),
        _ => None,
    }
}

/// mongod's answer when a step-down interrupts a write that is still running.
fn interrupted() -> CmdError {
    CmdError::new(
        11602,
        "InterruptedDueToReplStateChange",
        "operation was interrupted",
    )
}

impl Store {
    /// Runs `cmd` (an insert of `total` documents) part by part; `may_continue` is asked before
    /// every part after the first (the member may have stepped down meanwhile: the rest is not
    /// written, as when mongod interrupts a write on step-down).
    pub(super) fn insert_in_parts(
        &self,
        db: &str,
        cmd: &Document,
        total: usize,
        may_continue: &dyn Fn() -> bool,
    ) -> Result<CmdOutcome, CmdError> {
        let ordered = cmd.get("ordered").is_none_or(super::matcher::truthy);
        let (mut n, mut errors, mut last): (i32, Vec<Bson>, Option<OpTime>) = (0, Vec::new(), None);
        let mut start = 0;
        while start < total {
            if start > 0 {
                self.stand_aside();
                if !may_continue() {
                    return Err(interrupted());
                }
            }
            let count = PART.min(total - start);
            let (out, persisted) = self.write_checked(|e| {
                if let Some(j) = e.journal.as_mut() {
                    j.writable().map_err(out_of_disk)?;
                }
                e.insert_window = Some((start, count));
                let out = e.run(db, cmd);
                e.insert_window = None;
                out
            });
            persisted.map_err(out_of_disk)?;
            let out = out?;
            n += out.reply.get_i32("n").unwrap_or(0);
            let failed = match out.reply.get_array("writeErrors") {
                Ok(list) => {
                    errors.extend(list.iter().cloned());
                    !list.is_empty()
                }
                Err(_) => false,
            };
            last = match (last, out.write_optime) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            if failed && ordered {
                break;
            }
            start += count;
        }
        let mut reply = bson::doc! {"n": n};
        if !errors.is_empty() {
            reply.insert("writeErrors", errors);
        }
        Ok(commands::ok(reply, last))
    }

    /// Gives threads waiting for the store lock their turn (a released std mutex may be taken
    /// again at once by the thread that released it).
    fn stand_aside(&self) {
        let since = Instant::now();
        while self.waiting.load(Ordering::Acquire) > 0 && since.elapsed() < STAND_ASIDE {
            std::thread::yield_now();
        }
    }
}
