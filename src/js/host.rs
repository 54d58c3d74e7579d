//! Rust-side state of one runtime, kept in the boa `Context` data map.
//!
//! Never holds JS values (the data map is not traced by the garbage collector).

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use boa_engine::error::{EngineError, PanicError};
use boa_engine::{Context, JsError, JsResult};

use super::args::error;
use super::RuntimeOptions;

/// Host state shared by every native function.
pub struct Host {
    /// Where all shell output goes (stdout in the binary, a buffer in tests).
    pub out: RefCell<Box<dyn Write>>,
    /// Set by the shell's SIGINT handler; natives throw the interrupt error when it is set.
    pub interrupt: Arc<AtomicBool>,
    pub opts: RuntimeOptions,
    /// Set by `quit(n)`; the evaluation then ends with an uncatchable error.
    pub quit: Cell<Option<i32>>,
}

impl Host {
    pub fn new(opts: RuntimeOptions, out: Box<dyn Write>) -> Host {
        Host {
            out: RefCell::new(out),
            interrupt: Arc::new(AtomicBool::new(false)),
            opts,
            quit: Cell::new(None),
        }
    }

    /// Write text to the output sink. A failure does not turn into a JS exception at every
    /// print; it is remembered (see [`output_failed`]) and decides the exit status.
    pub fn write(&self, text: &str) {
        if let Ok(mut out) = self.out.try_borrow_mut() {
            note_output_result(out.write_all(text.as_bytes()));
        }
    }

    pub fn flush(&self) {
        if let Ok(mut out) = self.out.try_borrow_mut() {
            note_output_result(out.flush());
        }
    }

    pub fn interrupted(&self) -> bool {
        self.interrupt.load(Ordering::SeqCst)
    }
}

/// The first failure writing the shell's output (a full disk, `> /dev/full`), if any. A closed
/// pipe (`rsh … | head`) is not one: the reader chose to stop.
static OUTPUT_FAILED: OnceLock<String> = OnceLock::new();

/// Remember a failed write to standard output (see [`output_failed`]).
pub fn note_output_result(result: std::io::Result<()>) {
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = OUTPUT_FAILED.set(e.to_string());
        }
    }
}

/// Why writing the output failed, if it did: the session then ends with a non-zero status.
pub fn output_failed() -> Option<&'static str> {
    OUTPUT_FAILED.get().map(String::as_str)
}

/// The host of a context. Every `Runtime` installs one before any native can run.
pub fn host(ctx: &Context) -> JsResult<&Host> {
    ctx.get_data::<Host>()
        .ok_or_else(|| error("rsh host state missing"))
}

/// Message of the error thrown when the interrupt flag is seen.
pub const INTERRUPTED: &str = "interrupted";

/// Throws the interrupt error when the interrupt flag is set.
pub fn check_interrupt(ctx: &Context) -> JsResult<()> {
    if host(ctx)?.interrupted() {
        return Err(interrupted_error());
    }
    Ok(())
}

/// The error that ends an evaluation after Ctrl-C. Scripts cannot catch it (as in the legacy
/// shell, whose interrupt terminates the script): a loop that catches every error around a
/// database call would otherwise go on after each Ctrl-C. The runtime reports it as
/// `interrupted`.
pub fn interrupted_error() -> JsError {
    PanicError::new(INTERRUPTED).into()
}

/// Whether `err` is the interrupt error of [`interrupted_error`].
pub fn is_interrupt(err: &JsError) -> bool {
    matches!(err.as_engine(), Some(EngineError::Panic(p)) if p.message() == INTERRUPTED)
}

/// Write through the host of `ctx` (no-op without a host).
pub fn write_out(ctx: &Context, text: &str) {
    if let Some(h) = ctx.get_data::<Host>() {
        h.write(text);
    }
}
