//! Tailable cursors: `find` with `tailable` (and `awaitData`) on a capped collection such as
//! `local.oplog.rs` keeps its cursor open at the end of the data; getMore then returns what was
//! added since. The waiting of awaitData getMores happens in the node (it sleeps on the clock,
//! not under the data lock); here are mongod's option rules and errors.

use bson::{Bson, Document};

use super::cursor::{Cursor, Source, Tail};
use super::engine::Engine;
use super::sort::Sort;
use crate::error::CmdError;

/// `tailable` / `awaitData` of a find, checked as mongod does.
pub fn find_options(
    e: &Engine,
    db: &str,
    coll: &str,
    cmd: &Document,
    sort: Option<&Sort>,
) -> Result<Option<Tail>, CmdError> {
    let flag = |k: &str| -> Result<bool, CmdError> {
        match cmd.get(k) {
            None => Ok(false),
            Some(Bson::Boolean(b)) => Ok(*b),
            Some(_) => Err(CmdError::type_mismatch(format!(
                "BSON field 'FindCommandRequest.{k}' is the wrong type, expected type 'bool'"
            ))),
        }
    };
    let tailable = flag("tailable")?;
    let await_data = flag("awaitData")?;
    if await_data && !tailable {
        return Err(CmdError::new(
            9,
            "FailedToParse",
            "Cannot set 'awaitData' without also setting 'tailable'",
        ));
    }
    if !tailable {
        return Ok(None);
    }
    if !matches!(sort, None | Some(Sort::Natural(true))) {
        return Err(CmdError::bad_value(
            "cannot use tailable option with a sort other than {$natural: 1}",
        ));
    }
    if let Some(c) = e.coll(db, coll) {
        if !c.is_capped() {
            return Err(CmdError::bad_value(format!(
                "error processing query: ns={db}.{coll} tailable cursor requested on non capped collection"
            )));
        }
    }
    Ok(Some(Tail { await_data }))
}

/// getMore's `maxTimeMS` is only for awaitData cursors (how long to wait for new data).
pub fn check_get_more(cur: &Cursor, cmd: &Document) -> Result<(), CmdError> {
    let awaits = cur.tail.is_some_and(|t| t.await_data);
    if cmd.contains_key("maxTimeMS") && !awaits {
        return Err(CmdError::bad_value(
            "cannot set maxTimeMS on getMore command for a non-awaitData cursor",
        ));
    }
    Ok(())
}

impl Engine {
    /// Whether cursor `id` is an awaitData cursor (None: no such cursor).
    pub fn cursor_awaits_data(&self, id: i64) -> Option<bool> {
        let c = self.cursors.get(&id)?;
        Some(c.tail.is_some_and(|t| t.await_data) || matches!(c.source, Source::Change(_)))
    }
}

impl super::Store {
    /// Whether cursor `id` waits for data on getMore (None: no such cursor).
    pub fn cursor_awaits_data(&self, id: i64) -> Option<bool> {
        self.lock().cursor_awaits_data(id)
    }

    /// The majority commit point: change streams show entries up to it.
    pub fn set_visible_ts(&self, ts: bson::Timestamp) {
        self.lock().visible_ts = Some(ts);
    }
}
