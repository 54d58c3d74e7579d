//! Ctrl-C while a command runs. The terminal is out of raw mode then, so SIGINT reaches the
//! process: the first one sets the runtime's interrupt flag (the engine stops the script between
//! two slices of instructions, natives throw `interrupted`); a second one before the command
//! ends exits with status 130, for native code that runs long without looking at the flag. At
//! the prompt rustyline reads Ctrl-C as a key (ISIG off) and clears the line.
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The runtime's flag, shared with the signal handler.
static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
/// SIGINTs received since the current command began.
static HITS: AtomicUsize = AtomicUsize::new(0);

/// Install the SIGINT handler; `flag` is `Runtime::interrupt_flag()`.
pub fn install(flag: Arc<AtomicBool>) {
    let _ = FLAG.set(flag);
    // SAFETY: `on_sigint` only touches atomics and calls async-signal-safe write/_exit; the
    // sigaction struct is fully initialised before use.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// Call when a stage begins (a script run, or a REPL prompt): forget earlier Ctrl-Cs.
pub fn begin_command() {
    HITS.store(0, Ordering::SeqCst);
    if let Some(flag) = FLAG.get() {
        flag.store(false, Ordering::SeqCst);
    }
}

extern "C" fn on_sigint(_signal: libc::c_int) {
    let hits = HITS.fetch_add(1, Ordering::SeqCst) + 1;
    if hits >= 2 {
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, b"\n".as_ptr().cast(), 1);
            libc::_exit(130);
        }
    }
    if let Some(flag) = FLAG.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// A Ctrl-C arrived since `begin_command`: checked before each evaluation of a stage, so that a
/// Ctrl-C between two of them stops the rest.
pub fn pending() -> bool {
    HITS.load(Ordering::SeqCst) > 0
}
