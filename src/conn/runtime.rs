//! The one tokio runtime of the shell (created on first connection, never for `--nodb`) and the
//! synchronous bridge used by JS natives: `block_on` raced against the Ctrl-C flag.
//! The main thread owns the JS context and is not a runtime worker.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

use super::error::ConnError;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime: multi-thread with 2 workers (the driver's monitors run there).
pub fn runtime() -> Result<&'static Runtime, ConnError> {
    let rt = RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rsh-io")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the I/O runtime: {e}"))
    });
    rt.as_ref().map_err(|e| ConnError::Other(e.clone()))
}

/// How often a blocked call looks at the interrupt flag.
const INTERRUPT_POLL: Duration = Duration::from_millis(25);

/// Run `fut` to completion on the runtime, from the (non-worker) main thread. Returns
/// `ConnError::Interrupted` as soon as `interrupt` is set; the future is dropped then.
pub fn block_on<F, T>(interrupt: &AtomicBool, fut: F) -> Result<T, ConnError>
where
    F: Future<Output = T>,
{
    block_on_ticking(interrupt, fut, |_| None)
}

/// `block_on` that also calls `tick(elapsed)` at every interrupt poll while `fut` is pending
/// (the REPL's "waiting for a primary" line); an error from `tick` ends the wait with it
/// (an answer already certain, such as a wrong set name).
pub fn block_on_ticking<F, T>(
    interrupt: &AtomicBool,
    fut: F,
    mut tick: impl FnMut(Duration) -> Option<ConnError>,
) -> Result<T, ConnError>
where
    F: Future<Output = T>,
{
    let rt = runtime()?;
    let started = std::time::Instant::now();
    if interrupt.load(Ordering::SeqCst) {
        return Err(ConnError::Interrupted);
    }
    rt.block_on(async {
        tokio::pin!(fut);
        loop {
            tokio::select! {
                out = &mut fut => return Ok(out),
                _ = tokio::time::sleep(INTERRUPT_POLL) => {
                    if interrupt.load(Ordering::SeqCst) {
                        return Err(ConnError::Interrupted);
                    }
                    if let Some(e) = tick(started.elapsed()) {
                        return Err(e);
                    }
                }
            }
        }
    })
}

/// Run a value's destructor inside the runtime context: the driver spawns cleanup tasks
/// (killCursors, endSessions) from `Drop` and panics outside a runtime.
pub fn drop_in_runtime<T>(value: T) {
    match runtime() {
        Ok(rt) => {
            let _guard = rt.enter();
            drop(value);
        }
        // No runtime means no driver object was ever created from it.
        Err(_) => drop(value),
    }
}

/// A fresh interrupt flag that is never set (tests, background work).
pub fn never_interrupted() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_returns_value_and_honours_interrupt() {
        let flag = AtomicBool::new(false);
        assert_eq!(block_on(&flag, async { 41 + 1 }).unwrap(), 42);
        flag.store(true, Ordering::SeqCst);
        let r = block_on(&flag, async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            1
        });
        assert_eq!(r, Err(ConnError::Interrupted));
    }

    #[test]
    fn interrupt_set_while_waiting_stops_the_wait() {
        let flag = Arc::new(AtomicBool::new(false));
        let setter = flag.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            setter.store(true, Ordering::SeqCst);
        });
        let r = block_on(&flag, async {
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        assert_eq!(r, Err(ConnError::Interrupted));
        t.join().ok();
    }
}
