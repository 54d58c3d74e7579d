//! JavaScript evaluated at start-up, compiled into the binary. Files run in list order; the
//! connection layer appends its own (`rs.js`, `db.js`, …) here.

/// `(source name, code)` pairs evaluated by `Runtime::new`.
pub const PRELUDE: &[(&str, &str)] = &[
    ("prelude/shell.js", include_str!("shell.js")),
    ("prelude/conn_lazy.js", include_str!("conn_lazy.js")),
    // Eager: `rs.st<Tab>` completes without a connection (completion reads data properties).
    ("prelude/rs.js", include_str!("rs.js")),
];

/// The connection helpers, evaluated on first use (`__loadConn()` in `conn_lazy.js`) or when
/// the shell connects.
pub const CONN_PRELUDE: &[(&str, &str)] = &[
    ("prelude/mongo.js", include_str!("mongo.js")),
    ("prelude/db.js", include_str!("db.js")),
    ("prelude/collection.js", include_str!("collection.js")),
    ("prelude/cursor.js", include_str!("cursor.js")),
    ("prelude/bulk.js", include_str!("bulk.js")),
    ("prelude/collection_more.js", include_str!("collection_more.js")),
    ("prelude/db_more.js", include_str!("db_more.js")),
    ("prelude/session.js", include_str!("session.js")),
    ("prelude/explain.js", include_str!("explain.js")),
    ("prelude/replinfo.js", include_str!("replinfo.js")),
    ("prelude/shellwords.js", include_str!("shellwords.js")),
];

/// The legacy shell's assertion library and utility globals (`assert`, `ErrorCodes`, `jsTest`,
/// `friendlyEqual`, `Random`...), loaded on first use of any of [`LEGACY_GLOBALS`].
pub const LEGACY: &[(&str, &str)] = &[
    ("prelude/legacy_utils.js", include_str!("legacy_utils.js")),
    ("prelude/error_codes.js", include_str!("error_codes.js")),
    ("prelude/legacy_assert.js", include_str!("legacy_assert.js")),
];

/// Every global the [`LEGACY`] files define.
pub const LEGACY_GLOBALS: &[&str] = &[
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
];
