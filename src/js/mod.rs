//! The JavaScript runtime (boa_engine): natives, BSON classes, JS⇄BSON conversion, the prelude.
//!
//! Public surface used by the shell: [`Runtime`], [`RuntimeOptions`], [`JsonMode`], [`EvalError`],
//! [`is_incomplete`].
//!
//! # Extension points (for the connection layer)
//! * **Natives**: each file in `natives/` has a `register(ctx)` function; [`natives::REGISTRY`]
//!   lists them in order. A new group (e.g. `natives/db.rs` with `runCommand`) adds one file and
//!   one entry there.
//! * **Prelude**: `prelude/*.js` files compiled in with `include_str!`: the few in
//!   [`prelude::PRELUDE`] are evaluated at start-up; everything else goes into a
//!   [`prelude::LAZY`] group, loaded on first use of one of its globals (see `prelude/mod.rs`
//!   for how to add one).
//! * **Host state**: [`host::Host`] lives in the boa `Context` data map (`ctx.get_data::<Host>()`):
//!   output sink, interrupt flag, `quit` code. Add connection state beside it
//!   as another `ctx.insert_data(..)` type rather than growing `Host`.
//! * **Interrupt**: every native that can take time calls [`host::check_interrupt`].

pub mod args;
pub mod budget;
mod complete;
mod context;
pub mod convert;
pub mod depth;
pub(crate) mod errors;
pub(crate) use crate::format;
pub mod host;
mod incomplete;
pub mod lazy_prelude;
pub mod natives;
pub mod prelude;
pub(crate) mod repl_print;
pub mod types;

pub use context::Runtime;
pub use incomplete::is_incomplete;

/// `--json` output flavour for REPL results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonMode {
    Relaxed,
    Canonical,
}

/// How the runtime prints.
#[derive(Debug, Clone, Default)]
pub struct RuntimeOptions {
    /// `Some(mode)`: results print as Extended JSON instead of legacy `tojson`.
    pub json: Option<JsonMode>,
    /// Colour output (the shell decides: `--color`, a TTY and no NO_COLOR).
    pub color: bool,
    /// `--quiet`.
    pub quiet: bool,
}

/// Why an evaluation did not complete normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// An uncaught exception; `report` is the legacy 4.4 text (`uncaught exception: Error: … :`
    /// and stack frames, one per line, no trailing newline).
    Exception { report: String },
    /// The code did not parse; `report` is one line naming file, line and column.
    Syntax { report: String },
    /// `quit(n)` / `exit(n)` was called.
    Quit(i32),
    /// Stopped by the interrupt flag (Ctrl-C) and not caught by the script.
    Interrupted,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::Exception { report } | EvalError::Syntax { report } => f.write_str(report),
            EvalError::Quit(n) => write!(f, "quit({n})"),
            EvalError::Interrupted => f.write_str("interrupted"),
        }
    }
}
