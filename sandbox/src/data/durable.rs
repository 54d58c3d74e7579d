//! Group commit: journal appends are plain writes under the data lock; a write that must be
//! durable (`j: true`, w:majority, a secondary's applied batch) then waits here, outside the lock,
//! until an `fdatasync` covers it. One caller syncs at a time and every write that reached the
//! file before that sync started is covered by it, so concurrent writers share one sync.

use std::fs::File;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

#[derive(Default)]
struct State {
    /// Bytes appended to the journal so far, counted across generations.
    written: u64,
    /// Bytes known to be on stable storage.
    synced: u64,
    syncing: bool,
    /// The journal file appends currently go to.
    file: Option<Arc<File>>,
    /// Why the last sync failed (cleared by a later success).
    failed: Option<String>,
}

#[derive(Default)]
pub struct Durable {
    state: Mutex<State>,
    done: Condvar,
}

impl Durable {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records `n` more bytes written to the current file.
    pub fn wrote(&self, n: u64) {
        self.lock().written += n;
    }

    /// Appends now go to `file`; everything written before was synced by the caller.
    pub fn switched(&self, file: Arc<File>) {
        let mut s = self.lock();
        s.synced = s.written;
        s.file = Some(file);
    }

    /// The position a write queued so far must reach.
    pub fn position(&self) -> u64 {
        self.lock().written
    }

    /// Blocks until every byte up to `pos` is on stable storage; `Err` when a sync fails.
    pub fn wait(&self, pos: u64) -> Result<(), String> {
        let mut s = self.lock();
        loop {
            if s.synced >= pos {
                return Ok(());
            }
            if !s.syncing {
                let Some(file) = s.file.clone() else {
                    return Ok(());
                };
                let target = s.written;
                s.syncing = true;
                drop(s);
                let r = file.sync_data();
                s = self.lock();
                s.syncing = false;
                match r {
                    Ok(()) => {
                        s.synced = s.synced.max(target);
                        s.failed = None;
                    }
                    Err(e) => s.failed = Some(format!("journal sync failed: {e}")),
                }
                self.done.notify_all();
                if let Some(e) = &s.failed {
                    if s.synced < pos {
                        return Err(e.clone());
                    }
                }
                continue;
            }
            s = self.done.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_waiters_share_syncs() {
        let d = Arc::new(Durable::default());
        let f = tempfile::tempfile().unwrap();
        d.switched(Arc::new(f));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let d = d.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        d.wrote(10);
                        let pos = d.position();
                        d.wait(pos).unwrap();
                        assert!(d.lock().synced >= pos);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(d.lock().synced, 8 * 50 * 10);
    }
}
