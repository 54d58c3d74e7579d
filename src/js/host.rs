//! Rust-side state of one runtime, kept in the boa `Context` data map.
//!
//! Never holds JS values (the data map is not traced by the garbage collector).

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use boa_engine::{Context, JsError, JsResult};

use super::args::error;
use super::RuntimeOptions;

/// Host state shared by every native function.
pub struct Host {
    /// Where all shell output goes (stdout in the binary, a buffer in tests).
    pub out: RefCell<Box<dyn Write>>,
    /// Set by the shell's SIGINT handler; natives throw `Error: interrupted` when it is set.
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

    /// Write text to the output sink (errors writing are ignored: a closed pipe must not turn
    /// into a JS exception at every print).
    pub fn write(&self, text: &str) {
        if let Ok(mut out) = self.out.try_borrow_mut() {
            let _ = out.write_all(text.as_bytes());
        }
    }

    pub fn flush(&self) {
        if let Ok(mut out) = self.out.try_borrow_mut() {
            let _ = out.flush();
        }
    }

    pub fn interrupted(&self) -> bool {
        self.interrupt.load(Ordering::SeqCst)
    }
}

/// The host of a context. Every `Runtime` installs one before any native can run.
pub fn host(ctx: &Context) -> JsResult<&Host> {
    ctx.get_data::<Host>()
        .ok_or_else(|| error("rsh host state missing"))
}

/// Message of the error thrown when the interrupt flag is seen.
pub const INTERRUPTED: &str = "interrupted";

/// Throws `Error: interrupted` when the interrupt flag is set.
pub fn check_interrupt(ctx: &Context) -> JsResult<()> {
    if host(ctx)?.interrupted() {
        return Err(interrupted_error());
    }
    Ok(())
}

pub fn interrupted_error() -> JsError {
    error(INTERRUPTED)
}

/// Write through the host of `ctx` (no-op without a host).
pub fn write_out(ctx: &Context, text: &str) {
    if let Some(h) = ctx.get_data::<Host>() {
        h.write(text);
    }
}
