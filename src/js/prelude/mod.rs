//! JavaScript evaluated at start-up, compiled into the binary. Files run in list order; the
//! connection layer appends its own (`rs.js`, `db.js`, …) here.

/// `(source name, code)` pairs evaluated by `Runtime::new`.
pub const PRELUDE: &[(&str, &str)] = &[("prelude/shell.js", include_str!("shell.js"))];
