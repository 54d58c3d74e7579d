//! A read's time limit inside the data layer: scans look at it as they go and stop once it has
//! passed (the node then answers MaxTimeMSExpired and drops the partial result), as mongod's
//! scans check for interruption. Kept per thread: a command runs on one thread from start to end.

use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// How many looks between clock readings.
const EVERY: u32 = 64;

/// Runs `f` with `deadline` as the limit its scans stop at.
pub fn with_deadline<T>(deadline: Option<Instant>, f: impl FnOnce() -> T) -> T {
    let before = DEADLINE.with(|d| d.replace(deadline));
    let out = f();
    DEADLINE.with(|d| d.set(before));
    out
}

/// Whether the running command's limit has passed (read from the clock every `EVERY` calls).
pub fn expired() -> bool {
    let Some(deadline) = DEADLINE.with(Cell::get) else {
        return false;
    };
    let n = TICKS.with(|t| {
        let n = t.get().wrapping_add(1);
        t.set(n);
        n
    });
    n.is_multiple_of(EVERY) && Instant::now() >= deadline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inside_a_limit_and_only_once_it_passed() {
        assert!(!(0..1000).any(|_| expired()));
        let past = Instant::now();
        assert!(with_deadline(Some(past), || (0..1000).any(|_| expired())));
        let later = Instant::now() + std::time::Duration::from_secs(3600);
        assert!(!with_deadline(Some(later), || (0..1000).any(|_| expired())));
        assert!(!(0..1000).any(|_| expired()));
    }
}
