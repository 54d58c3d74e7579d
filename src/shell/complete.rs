//! Tab completion. `complete_syntax` reads what the text before the cursor asks for; method
//! names come from the helper table; collection and database names from the connection
//! (through the runtime, with a short deadline, cached in `complete_cache`); plain dotted
//! names from `Runtime::complete`, which walks the global object without running user code.
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rustyline::completion::Completer;
use rustyline::{Context, Helper, Highlighter, Hinter, Validator};

use super::complete_cache::{Key, NameCache};
use super::complete_syntax::{self as syntax, Want};
use crate::js::Runtime;

/// How long Tab may wait for the server's list of names; past it, the names last known.
const NAMES_WAIT: Duration = Duration::from_millis(400);

/// The rustyline helper of the REPL. It shares the runtime with the loop: readline and
/// evaluation take turns on one thread, so a `RefCell` borrow never overlaps.
#[derive(Helper, Hinter, Highlighter, Validator)]
pub struct ShellHelper {
    pub runtime: Rc<RefCell<Runtime>>,
    pub names: RefCell<NameCache>,
}

impl ShellHelper {
    pub fn new(runtime: Rc<RefCell<Runtime>>) -> ShellHelper {
        ShellHelper {
            runtime,
            names: RefCell::new(NameCache::default()),
        }
    }

    /// An entry ran: collections and databases may have changed (`use`, inserts, drops).
    pub fn entry_ran(&self) {
        if let Ok(mut n) = self.names.try_borrow_mut() {
            n.entry_ran();
        }
    }

    fn candidates(&self, rt: &mut Runtime, want: Want) -> Vec<String> {
        match want {
            Want::ShowWord { prefix } => with_prefix(SHOW_WORDS.iter().copied(), &prefix, ""),
            Want::HelpTopic { prefix } => syntax::help_topics(&prefix)
                .into_iter()
                .map(String::from)
                .collect(),
            Want::Database { prefix } => {
                let Some((handle, _)) = rt.current_db() else {
                    return Vec::new();
                };
                let names = self.names(Key::Databases(handle), || {
                    rt.database_names(handle, NAMES_WAIT)
                });
                with_prefix(names.iter().map(String::as_str), &prefix, "")
            }
            Want::DbMember { db, before, prefix } => {
                let Some(colls) = self.collections(rt, db) else {
                    return rt.complete(&format!("{before}{prefix}"));
                };
                let mut out = with_prefix(syntax::methods("db.").into_iter(), &prefix, &before);
                out.extend(
                    colls
                        .iter()
                        .filter(|c| c.starts_with(&prefix))
                        .map(|c| format!("{before}{}", syntax::collection_member(c))),
                );
                sorted(out)
            }
            Want::CollectionMember {
                db,
                collection,
                before,
                prefix,
            } => {
                let mut out = with_prefix(
                    syntax::methods("db.collection.").into_iter(),
                    &prefix,
                    &before,
                );
                // Sub-collections: `db.system.` → `db.system.views`.
                let head = format!("{collection}.");
                let colls = self.collections(rt, db).unwrap_or_default();
                out.extend(
                    colls
                        .iter()
                        .filter_map(|c| c.strip_prefix(&head))
                        .filter(|rest| rest.starts_with(&prefix))
                        .filter(|rest| rest.split('.').all(syntax::is_identifier))
                        .map(|rest| format!("{before}{rest}")),
                );
                sorted(out)
            }
            Want::CollectionNameInString { db, quote, prefix } => {
                let colls = self.collections(rt, db).unwrap_or_default();
                let names = colls.iter().filter(|c| c.starts_with(&prefix));
                sorted(names.map(|c| syntax::escape_in_string(c, quote)).collect())
            }
            Want::CursorMethod { command, prefix } => {
                // The rows the cursor's prototype has (a command cursor lacks `sort`…).
                let proto = if command {
                    "DBCommandCursor"
                } else {
                    "DBQuery"
                };
                let path = format!("{proto}.prototype.");
                let present = rt.complete(&format!("{path}{prefix}"));
                let names = syntax::methods("cursor.")
                    .into_iter()
                    .filter(|m| present.iter().any(|p| p.strip_prefix(&path) == Some(m)));
                with_prefix(names, &prefix, "")
            }
            Want::Helper {
                object,
                before,
                prefix,
            } => {
                // The helper table's rows that the object has: walking it also loads the
                // prelude group that adds rsh's own helpers (`rs.doctor`).
                let receiver = format!("{object}.");
                let present = rt.complete(&format!("{object}.{prefix}"));
                let rows = syntax::methods(&receiver);
                let names = rows
                    .into_iter()
                    .filter(|m| present.iter().any(|p| p.strip_prefix(&receiver) == Some(m)));
                with_prefix(names, &prefix, &before)
            }
            Want::Js { word } => rt.complete(&word),
            Want::Nothing => Vec::new(),
        }
    }

    /// The collection names of the current database (or of `db` on its connection); `None`
    /// when `db` is not a database of a connection.
    fn collections(&self, rt: &mut Runtime, db: Option<String>) -> Option<Vec<String>> {
        let (handle, current) = rt.current_db()?;
        let db = db.unwrap_or(current);
        let key = Key::Collections(handle, db.clone());
        Some(self.names(key, || rt.collection_names(handle, &db, NAMES_WAIT)))
    }

    fn names(&self, key: Key, fetch: impl FnOnce() -> Option<Vec<String>>) -> Vec<String> {
        match self.names.try_borrow_mut() {
            Ok(mut cache) => cache.get(key, Instant::now(), fetch),
            Err(_) => Vec::new(),
        }
    }
}

impl Completer for ShellHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let request = syntax::analyze(line, pos);
        let candidates = match self.runtime.try_borrow_mut() {
            Ok(mut rt) => self.candidates(&mut rt, request.want),
            Err(_) => Vec::new(),
        };
        Ok((request.start, candidates))
    }
}

/// `before` + each name starting with `prefix`.
fn with_prefix<'a>(
    names: impl Iterator<Item = &'a str>,
    prefix: &str,
    before: &str,
) -> Vec<String> {
    sorted(
        names
            .filter(|n| n.starts_with(prefix))
            .map(|n| format!("{before}{n}"))
            .collect(),
    )
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// What `show` takes (the legacy shell's list), sorted as the editor lists them.
pub const SHOW_WORDS: [&str; 8] = [
    "collections",
    "databases",
    "dbs",
    "profile",
    "roles",
    "startupWarnings",
    "tables",
    "users",
];
