//! Names fetched from the server for Tab completion, kept per connection and database. Any
//! entry the user runs may create or drop collections (an insert creates one), or switch
//! database (`use`), so every entry marks the names stale; they are fetched again at the next
//! Tab, and also once they are older than [`TTL`] (another client may have changed them).
//! When a fetch fails (a slow, stopped or dead server), the names last known are used and the
//! server is not asked again for [`RETRY_AFTER`], so Tab never waits twice in a row.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long fetched names are trusted while no entry runs.
pub const TTL: Duration = Duration::from_secs(30);
/// How long after a failed fetch the names last known are used without asking again.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// What is listed: a database's collections, or the databases, on a connection handle.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Collections(usize, String),
    Databases(usize),
}

#[derive(Debug)]
struct Entry {
    names: Vec<String>,
    fetched: Option<Instant>,
    stale: bool,
    failed: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct NameCache {
    entries: HashMap<Key, Entry>,
}

impl NameCache {
    /// The names for `key`: cached ones while fresh, else `fetch()`'s, else the last known.
    pub fn get(
        &mut self,
        key: Key,
        now: Instant,
        fetch: impl FnOnce() -> Option<Vec<String>>,
    ) -> Vec<String> {
        let entry = self.entries.entry(key).or_insert(Entry {
            names: Vec::new(),
            fetched: None,
            stale: true,
            failed: None,
        });
        let fresh = !entry.stale
            && entry
                .fetched
                .is_some_and(|t| now.saturating_duration_since(t) < TTL);
        let resting = entry
            .failed
            .is_some_and(|t| now.saturating_duration_since(t) < RETRY_AFTER);
        if !fresh && !resting {
            match fetch() {
                Some(names) => {
                    entry.names = names;
                    entry.fetched = Some(now);
                    entry.stale = false;
                    entry.failed = None;
                }
                None => entry.failed = Some(now),
            }
        }
        entry.names.clone()
    }

    /// An entry ran: every name may have changed.
    pub fn entry_ran(&mut self) {
        for e in self.entries.values_mut() {
            e.stale = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fetches_once_until_an_entry_runs_or_the_ttl_passes() {
        let mut c = NameCache::default();
        let calls = Cell::new(0);
        let key = || Key::Collections(0, "test".into());
        let t0 = Instant::now();
        let fetch = |list: &'static [&'static str]| {
            calls.set(calls.get() + 1);
            Some(names(list))
        };
        assert_eq!(c.get(key(), t0, || fetch(&["a"])), names(&["a"]));
        assert_eq!(c.get(key(), t0, || fetch(&["b"])), names(&["a"]));
        assert_eq!(calls.get(), 1);
        c.entry_ran();
        assert_eq!(c.get(key(), t0, || fetch(&["a", "b"])), names(&["a", "b"]));
        assert_eq!(calls.get(), 2);
        let later = t0 + TTL + Duration::from_millis(1);
        assert_eq!(c.get(key(), later, || fetch(&["c"])), names(&["c"]));
        assert_eq!(calls.get(), 3);
        // Each database has its own names.
        let other = Key::Collections(0, "other".into());
        assert_eq!(c.get(other, later, || fetch(&["x"])), names(&["x"]));
    }

    #[test]
    fn a_failed_fetch_keeps_the_known_names_and_rests() {
        let mut c = NameCache::default();
        let key = || Key::Databases(1);
        let t0 = Instant::now();
        assert_eq!(
            c.get(key(), t0, || Some(names(&["admin"]))),
            names(&["admin"])
        );
        c.entry_ran();
        let calls = Cell::new(0);
        let failing = || {
            calls.set(calls.get() + 1);
            None
        };
        assert_eq!(c.get(key(), t0, failing), names(&["admin"]));
        assert_eq!(
            c.get(key(), t0 + Duration::from_secs(1), failing),
            names(&["admin"])
        );
        assert_eq!(calls.get(), 1, "no second wait right after a failure");
        let t1 = t0 + RETRY_AFTER + Duration::from_millis(1);
        assert_eq!(
            c.get(key(), t1, || Some(names(&["admin", "x"]))),
            names(&["admin", "x"])
        );
        // Nothing known and no answer: no names.
        assert!(c.get(Key::Databases(2), t1, || None).is_empty());
    }
}
