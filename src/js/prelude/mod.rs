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
    ("prelude/explain.js", include_str!("explain.js")),
    ("prelude/replinfo.js", include_str!("replinfo.js")),
    ("prelude/shellwords.js", include_str!("shellwords.js")),
    ("prelude/rs_admin.js", include_str!("rs_admin.js")),
];
