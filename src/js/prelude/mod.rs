//! JavaScript compiled into the binary: [`PRELUDE`] runs at start-up, each [`LAZY`] group on
//! first use of one of its globals (`js::lazy_prelude` installs and loads them).
//!
//! # Adding a lazily loaded file
//!
//! `rsh --nodb --eval 1` must start in a few milliseconds, and parsing JavaScript is most of
//! what start-up would cost, so new prelude code goes into a [`LAZY`] group, not [`PRELUDE`]:
//!
//! 1. Put the code in `prelude/<name>.js`. Its top-level `var` declarations are its globals
//!    (`var f = function (…) {…};`, not `function f`: a declaration would replace the global's
//!    accessor, see `js::lazy_prelude::install`); methods it adds to another group's objects
//!    (`DB.prototype.x = …`) are not.
//! 2. Either add `("prelude/<name>.js", include_str!("<name>.js"))` to the `files` of the group
//!    it extends (files of a group run in list order, so after the files it builds on), or add
//!    a new [`LazyGroup`] at the end of [`LAZY`] for a separate feature.
//! 3. List in `globals` every global the group's files declare: touching any of them (reading,
//!    calling, assigning, `typeof`, or completing `name.`) loads the whole group first. A
//!    global left out does not exist until something else loads the group. Never list a name
//!    that [`PRELUDE`] defines or assigns: the start-up code would then load the group.
//! 4. A file may use another group's globals freely (that group loads on first touch); at its
//!    top level it may touch them too, which then loads that group along with it.
//! 5. Check start-up has not grown: `scripts/bench_startup.sh --binary OLD --compare NEW`.

use super::lazy_prelude::LazyGroup;

/// `(source name, code)` pairs evaluated in order by `Runtime::new`. Keep this short: every
/// kilobyte here costs about 0.15 ms of CPU on each start (parsing and compiling), which is
/// why even `rs` is lazy. [`EAGER_PRELUDE_MAX_BYTES`] bounds it (checked by a test).
pub const PRELUDE: &[(&str, &str)] = &[("prelude/shell.js", include_str!("shell.js"))];

/// Upper bound of the total size of [`PRELUDE`], in bytes: raise it only with a start-up
/// measurement (`scripts/bench_startup.sh`) showing the budget still holds.
pub const EAGER_PRELUDE_MAX_BYTES: usize = 3 * 1024;

/// Prelude groups loaded on first use of one of their globals.
pub const LAZY: &[LazyGroup] = &[
    // The connection helpers: Mongo, DB, collections, cursors, explain, the replication reports
    // and `use`/`show`. The shell touches `__shellConnected` once connected, which loads them.
    LazyGroup {
        globals: &[
            "Mongo",
            "connect",
            "__shellConnected",
            "DB",
            "DBCollection",
            "WriteResult",
            "BulkWriteResult",
            "WriteCommandError",
            // bulk.js
            "__bulkEmpty",
            "WriteConcern",
            "WriteError",
            "WriteConcernError",
            "__resultCounters",
            "__bulkResultMethods",
            "__bulkPlain",
            "BulkWriteError",
            "__bulkFromWrite",
            "Bulk",
            "__bulkMerge",
            // session.js
            "SessionOptions",
            "DriverSession",
            "DBCommandCursor",
            "__READ",
            "__shellBatchSize",
            "Explainable",
            "DBExplainQuery",
            "__EXPLAIN_VERBOSITIES",
            "__explainVerbosity",
            "__withOptions",
            "ChangeStreamCursor",
            "__CHANGE_STREAM_STAGE_OPTIONS",
            "__changeStreamStage",
            "__watch",
            // `defaultPrompt` (mongo.js) is left out on purpose: the REPL looks it up before
            // every line, and until the group loads its absence gives the same "> ".
        ],
        files: &[
            ("prelude/mongo.js", include_str!("mongo.js")),
            ("prelude/db.js", include_str!("db.js")),
            ("prelude/collection.js", include_str!("collection.js")),
            ("prelude/cursor.js", include_str!("cursor.js")),
            // The rest of the legacy 4.4 API: write results and the Bulk API, DBCollection,
            // DB (users, roles, profiling...), Mongo and sessions.
            ("prelude/bulk.js", include_str!("bulk.js")),
            (
                "prelude/collection_more.js",
                include_str!("collection_more.js"),
            ),
            ("prelude/db_more.js", include_str!("db_more.js")),
            ("prelude/session.js", include_str!("session.js")),
            ("prelude/explain.js", include_str!("explain.js")),
            ("prelude/watch.js", include_str!("watch.js")),
            ("prelude/replinfo.js", include_str!("replinfo.js")),
            ("prelude/shellwords.js", include_str!("shellwords.js")),
            // Extends rs (rs.js) and DB.prototype: preflight, dry runs, waits, rs.doctor().
            ("prelude/rs_admin.js", include_str!("rs_admin.js")),
            // Last: wraps the helpers above with their argument checks.
            ("prelude/args.js", include_str!("args.js")),
        ],
    },
    // `rs` and its legacy helpers (rs.status, rs.add...). A group of its own, so that
    // `rs.help()` without a connection does not load the connection helpers; completing
    // `rs.` loads those too (`Runtime::complete`), for the careful helpers of rs_admin.js.
    LazyGroup {
        globals: &["rs"],
        files: &[("prelude/rs.js", include_str!("rs.js"))],
    },
    // The legacy shell's assertion library and utility globals. The Array/Object/String
    // helpers it implements (Array.contains, Object.extend...) have stubs in shell.js that
    // forward to `__legacyStatics`.
    LazyGroup {
        globals: &[
            "isString",
            "isNumber",
            "isObject",
            "friendlyEqual",
            "tojsonObject",
            "sortDoc",
            "printStackTrace",
            "_verboseShell",
            "setVerboseShell",
            "timestampCmp",
            "compare",
            "compareOn",
            "isNetworkError",
            "retryOnNetworkError",
            "_getErrorWithCode",
            "__legacyStatics",
            "__defineStatic",
            "Random",
            "Geo",
            "TestData",
            "jsTestName",
            "jsTestOptions",
            "jsTestLog",
            "jsTest",
            "ErrorCodeStrings",
            "ErrorCodes",
            "doassert",
            "assert",
            "DBPointer",
            "gc",
            "runProgram",
            "run",
            "startMongoProgram",
            "ReplSetTest",
            "ShardingTest",
            "MongoRunner",
            "sh",
        ],
        files: &[
            ("prelude/legacy_utils.js", include_str!("legacy_utils.js")),
            ("prelude/error_codes.js", include_str!("error_codes.js")),
            ("prelude/legacy_assert.js", include_str!("legacy_assert.js")),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Names declared by `var`/`function` at the top level of `code` (lines starting at column 0).
    fn top_level_globals(code: &str) -> Vec<&str> {
        code.lines()
            .filter_map(|l| {
                l.strip_prefix("var ")
                    .or_else(|| l.strip_prefix("function "))
            })
            .filter_map(|rest| {
                let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'));
                let name = &rest[..end.unwrap_or(rest.len())];
                (!name.is_empty()).then_some(name)
            })
            .collect()
    }

    #[test]
    fn eager_prelude_stays_small() {
        let bytes: usize = PRELUDE.iter().map(|(_, code)| code.len()).sum();
        assert!(
            bytes <= EAGER_PRELUDE_MAX_BYTES,
            "the eager prelude is {bytes} bytes, over {EAGER_PRELUDE_MAX_BYTES}: \
             put new code in a LAZY group"
        );
    }

    #[test]
    fn no_lazy_group_loads_at_start_up() {
        let opts = crate::js::RuntimeOptions::default();
        let mut rt =
            crate::js::Runtime::with_output(opts, Box::new(std::io::sink())).expect("runtime");
        for group in LAZY {
            for name in group.globals {
                let value = crate::js::lazy_prelude::loaded_value(rt.context(), name);
                assert!(value.is_none(), "{name}'s group was loaded by Runtime::new");
            }
        }
        // Still there on first use.
        rt.eval(
            "if (typeof rs.status !== 'function') throw Error('no rs')",
            "t",
        )
        .expect("rs loads on first use");
        let loaded = crate::js::lazy_prelude::loaded_value(rt.context(), "rs");
        assert!(loaded.is_some_and(|v| v.is_callable()));
    }

    #[test]
    fn every_lazy_global_is_listed_and_none_is_eager() {
        let eager: Vec<&str> = PRELUDE
            .iter()
            .flat_map(|(_, code)| top_level_globals(code))
            .collect();
        for group in LAZY {
            for (file, code) in group.files {
                assert!(
                    !code.lines().any(|l| l.starts_with("function ")),
                    "{file}: top-level function declarations replace the lazy accessors; use var"
                );
                for name in top_level_globals(code) {
                    assert!(
                        group.globals.contains(&name) || name == "defaultPrompt",
                        "{file} declares {name}, missing from its group's globals"
                    );
                }
            }
            for name in group.globals {
                assert!(!eager.contains(name), "{name} is defined at start-up");
                let declared = group
                    .files
                    .iter()
                    .any(|(_, c)| top_level_globals(c).contains(name));
                assert!(
                    declared,
                    "{name} is listed but no file of its group declares it"
                );
            }
        }
    }
}
