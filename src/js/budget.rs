//! Limits that keep any input from aborting the process: the engine's recursion and value-stack
//! limits, a heap limit (`--jsHeapLimitMB`) and Ctrl-C, both checked while a script runs.
//!
//! Scripts run in slices of engine instructions; between two slices the heap use and the
//! interrupt flag are looked at, and a stopped script is abandoned there (its frames stay
//! behind in the engine, harmless below the next script's). A file run by `load()` gets its
//! own slices ([`evaluate_nested`]). Native code that calls back into JavaScript (a `forEach`
//! callback) runs to its end before the next check, unless the callback calls a native, which
//! looks at the flag.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Poll, Waker};

use boa_engine::error::{EngineError, PanicError};
use boa_engine::{Context, JsError, JsNativeError, JsResult, JsValue, Script};

/// JavaScript frames allowed (the legacy shell managed several thousand; the engine's JS-to-JS
/// calls do not use the native stack, natives calling back in do, hence the large
/// evaluation-thread stack in `crate::run`).
pub const RECURSION_LIMIT: usize = 20_000;
/// Values on the engine's own stack (locals and temporaries of every live frame).
pub const VALUE_STACK_LIMIT: usize = 4 * 1024 * 1024;
/// Native stack of the thread that runs the shell: enough for `RECURSION_LIMIT` natives calling
/// back into JavaScript. Only touched pages cost memory.
pub const THREAD_STACK: usize = 1024 * 1024 * 1024;
/// Engine "cycles" between two checks of the heap and the interrupt flag: small, because a
/// loop of a few instructions can double a string each turn (at 256 `s = s + s` ends ~3
/// doublings past the heap limit, gigabytes; 128 still stops in time). A check costs next to
/// nothing: in a release build 64 gains ~2% over 32 on an empty loop and larger slices nothing
/// more; what remains (~10% on an empty loop, a few % on real work, `scripts/bench_js.sh`) is
/// the engine's budgeted loop itself.
const SLICE: u32 = 64;
/// Default `--jsHeapLimitMB`.
pub const DEFAULT_HEAP_LIMIT_MB: usize = 4096;

/// Message of the error a script over the heap limit stops with.
pub const OUT_OF_MEMORY: &str = "out of memory";

/// Bytes allocated through [`CountingAlloc`] and not yet freed.
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
/// The heap limit in bytes (0: none).
static HEAP_LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_HEAP_LIMIT_MB << 20);
/// True once the binary installed [`CountingAlloc`] (library tests run without it).
static COUNTING: AtomicBool = AtomicBool::new(false);

/// The system allocator, keeping a count of live bytes for the heap limit.
pub struct CountingAlloc;

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is kept.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
            ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

/// Called by the binary, which installs [`CountingAlloc`] as its global allocator.
pub fn counting_enabled() {
    COUNTING.store(true, Ordering::Relaxed);
}

/// Set the heap limit (`--jsHeapLimitMB`; 0 means no limit).
pub fn set_heap_limit_mb(mb: usize) {
    HEAP_LIMIT.store(mb.saturating_mul(1 << 20), Ordering::Relaxed);
}

/// Bytes a new allocation of `bytes` may not exceed to stay under the limit (`None`: no limit
/// or no counting).
pub fn heap_room() -> Option<usize> {
    let limit = HEAP_LIMIT.load(Ordering::Relaxed);
    if limit == 0 || !COUNTING.load(Ordering::Relaxed) {
        return None;
    }
    Some(limit.saturating_sub(ALLOCATED.load(Ordering::Relaxed)))
}

/// Over the limit and grown since `base` (memory a previous script left in globals does not
/// stop every later script at once).
fn over_heap_limit(base: usize) -> bool {
    heap_room() == Some(0) && ALLOCATED.load(Ordering::Relaxed) > base
}

/// The error thrown when an allocation would pass the heap limit.
pub fn out_of_memory() -> JsError {
    JsNativeError::range().with_message(OUT_OF_MEMORY).into()
}

/// Set the engine limits of a new context.
pub fn apply_limits(ctx: &mut Context) {
    let limits = ctx.runtime_limits_mut();
    limits.set_recursion_limit(RECURSION_LIMIT);
    limits.set_stack_size_limit(VALUE_STACK_LIMIT);
    limits.set_backtrace_limit(RECURSION_LIMIT);
}

/// Why an evaluation was abandoned.
pub enum Stopped {
    Interrupted,
    OutOfMemory,
}

/// Set (to anything but empty) by `scripts/bench_js.sh` only: evaluate without slices, the
/// baseline the cost of the checks is measured against (Ctrl-C and the heap limit then do not
/// stop pure JavaScript).
pub const UNBUDGETED_ENV: &str = "RSH_BENCH_UNBUDGETED";

fn unbudgeted() -> bool {
    static UNBUDGETED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *UNBUDGETED.get_or_init(|| std::env::var_os(UNBUDGETED_ENV).is_some_and(|v| !v.is_empty()))
}

/// Evaluate `script`, checking `interrupted` and the heap between slices.
pub fn evaluate(
    script: &Script,
    ctx: &mut Context,
    interrupted: &AtomicBool,
) -> Result<JsResult<JsValue>, Stopped> {
    if unbudgeted() {
        return Ok(script.evaluate(ctx));
    }
    let frames_before = ctx.stack_trace().count();
    let base = ALLOCATED.load(Ordering::Relaxed);
    let outcome = run_in_slices(
        script.evaluate_async_with_budget(ctx, SLICE),
        interrupted,
        base,
    );
    // Abandoned frames (here, or of a file `load()` stopped) still count towards the
    // recursion limit: give that room back.
    let left = ctx.stack_trace().count().saturating_sub(frames_before);
    if left > 0 {
        let limits = ctx.runtime_limits_mut();
        limits.set_recursion_limit(limits.recursion_limit().saturating_add(left));
    }
    outcome
}

/// Evaluate `script` from inside a running evaluation (`load()`), in slices as [`evaluate`]
/// does, so that Ctrl-C and the heap limit reach a loop in the loaded file. A stopped file is
/// abandoned as a top-level script is, and the error returned cannot be caught: unwinding it,
/// the engine drops the loaded file's frames and every frame below up to the top-level
/// script, where [`evaluate`] reports it (a catchable error here would resume a `catch` block
/// of the abandoned code).
pub fn evaluate_nested(
    script: &Script,
    ctx: &mut Context,
    interrupted: &AtomicBool,
) -> JsResult<JsValue> {
    if unbudgeted() {
        return script.evaluate(ctx);
    }
    let base = ALLOCATED.load(Ordering::Relaxed);
    match run_in_slices(
        script.evaluate_async_with_budget(ctx, SLICE),
        interrupted,
        base,
    ) {
        Ok(result) => result,
        Err(Stopped::Interrupted) => Err(super::host::interrupted_error()),
        Err(Stopped::OutOfMemory) => Err(PanicError::new(OUT_OF_MEMORY).into()),
    }
}

/// Poll an evaluation slice by slice, looking at the interrupt flag and the heap between two;
/// a stopped evaluation is dropped where it stands.
fn run_in_slices(
    fut: impl Future<Output = JsResult<JsValue>>,
    interrupted: &AtomicBool,
    base: usize,
) -> Result<JsResult<JsValue>, Stopped> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(result) = fut.as_mut().poll(&mut cx) {
            return Ok(result);
        }
        if interrupted.load(Ordering::SeqCst) {
            return Err(Stopped::Interrupted);
        }
        if over_heap_limit(base) {
            return Err(Stopped::OutOfMemory);
        }
    }
}

/// Whether `err` is the uncatchable out-of-memory stop of [`evaluate_nested`].
pub fn is_nested_out_of_memory(err: &JsError) -> bool {
    matches!(err.as_engine(), Some(EngineError::Panic(p)) if p.message() == OUT_OF_MEMORY)
}

/// The longest string allowed (V8's limit, the one scripts written for mongosh meet).
pub const MAX_STRING_LENGTH: f64 = 536_870_888.0;
/// What the engine may allocate per character while building a repeated or padded string.
const BYTES_PER_BUILT_CHAR: f64 = 24.0;

/// Refuse a string of `length` UTF-16 units before the engine tries to build it: past the
/// length limit a RangeError as in V8, past the heap room the out-of-memory error.
pub fn check_string_length(length: f64) -> JsResult<()> {
    if length > MAX_STRING_LENGTH {
        return Err(JsNativeError::range()
            .with_message("Invalid string length")
            .into());
    }
    if let Some(room) = heap_room() {
        if length * BYTES_PER_BUILT_CHAR > room as f64 {
            return Err(out_of_memory());
        }
    }
    Ok(())
}

/// Guard `String.prototype.repeat`, `padStart` and `padEnd` with [`check_string_length`].
pub fn register(ctx: &mut Context) -> JsResult<()> {
    let proto = ctx.intrinsics().constructors().string().prototype();
    for (name, by_count) in [("repeat", true), ("padStart", false), ("padEnd", false)] {
        let key = boa_engine::JsString::from(name);
        let original = proto.get(key.clone(), ctx)?;
        let Some(original) = original.as_object() else {
            continue;
        };
        let f = boa_engine::NativeFunction::from_copy_closure_with_captures(
            move |this, args, original, ctx| {
                let n = args.first().cloned().unwrap_or_default().to_number(ctx)?;
                let n = if n.is_nan() { 0.0 } else { n.trunc() };
                let length = if by_count {
                    let len = this.to_string(ctx)?.len() as f64;
                    if len == 0.0 {
                        0.0
                    } else {
                        len * n
                    }
                } else {
                    n
                };
                check_string_length(length)?;
                original.call(this, args, ctx)
            },
            original.clone(),
        );
        let function = boa_engine::object::FunctionObjectBuilder::new(ctx.realm(), f)
            .name(key.clone())
            .length(1)
            .build();
        crate::js::args::define_builtin(&proto, key, function, ctx)?;
    }
    Ok(())
}
