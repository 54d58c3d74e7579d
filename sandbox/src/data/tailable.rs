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

/// A command with a non-zero `maxTimeMS`.
pub fn has_max_time(cmd: &Document) -> bool {
    cmd.get("maxTimeMS")
        .is_some_and(|v| !matches!(v, Bson::Int32(0) | Bson::Int64(0) | Bson::Null))
}

/// getMore's `maxTimeMS` is only for awaitData cursors (how long to wait for new data); a
/// tailable cursor whose last record was deleted by the capped collection's rollover has lost
/// its place (136 CappedPositionLost, the cursor dies).
pub fn check_get_more(e: &Engine, cur: &Cursor, cmd: &Document) -> Result<(), CmdError> {
    if let (
        Some(_),
        Source::Scan {
            db,
            coll,
            last: Some(l),
            ..
        },
    ) = (cur.tail, &cur.source)
    {
        if e.coll(db, coll).is_some_and(|c| !c.docs.contains_key(l)) {
            return Err(CmdError::new(
                136,
                "CappedPositionLost",
                format!(
                    "CollectionScan died due to position in capped collection being deleted. Last seen record id: RecordId({l})"
                ),
            ));
        }
    }
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

    /// Whether cursor `id` was opened with a maxTimeMS.
    pub fn cursor_has_max_time(&self, id: i64) -> bool {
        self.lock().cursors.get(&id).is_some_and(|c| c.max_time)
    }

    /// The majority commit point: change streams show entries up to it.
    pub fn set_visible_ts(&self, ts: bson::Timestamp) {
        self.lock().visible_ts = Some(ts);
    }
}
