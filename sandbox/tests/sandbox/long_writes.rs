//! A long write on the primary (one insert of many documents, w:1) must not stall what keeps the
//! set together: the primary keeps answering heartbeats and other commands while it runs, so
//! the secondaries never call an election, and the secondaries replicate it as it goes. A real mongod
//! applies each document in its own unit of work and never holds off replication traffic.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};
use support::*;

/// Large enough that applying it takes several election timeouts in a debug build.
const DOCS: i32 = 100_000;

fn term_of(m: &Member) -> Option<i64> {
    let s = admin(m, doc! {"replSetGetStatus": 1})?;
    match s.get("term")? {
        Bson::Int64(t) => Some(*t),
        Bson::Int32(t) => Some(i64::from(*t)),
        _ => None,
    }
}

fn count_on(m: &Member) -> Option<i64> {
    count_on_port(m.port)
}

fn count_on_port(port: u16) -> Option<i64> {
    let r = try_run(
        port,
        "test",
        doc! {"count": "c", "$readPreference": {"mode": "secondaryPreferred"}},
    )?;
    match r.get("n")? {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        _ => None,
    }
}

/// How stale `host`'s last heartbeat answer looks from the member on `port` right now (replSetGetStatus).
fn heartbeat_age(port: u16, host: &str) -> Option<Duration> {
    let s = try_run(port, "admin", doc! {"replSetGetStatus": 1})?;
    let now = s.get_datetime("date").ok()?.timestamp_millis();
    let entry = s
        .get_array("members")
        .ok()?
        .iter()
        .filter_map(Bson::as_document)
        .find(|e| e.get_str("name").ok() == Some(host))?;
    let last = entry.get_datetime("lastHeartbeat").ok()?.timestamp_millis();
    Some(Duration::from_millis(
        u64::try_from(now - last).unwrap_or(0),
    ))
}

/// What the watcher saw while the insert ran.
#[derive(Default, Debug)]
struct Seen {
    /// The slowest `count` of the inserted collection on the primary.
    slowest_count: Duration,
    /// The stalest heartbeat answer from the primary, as a secondary reported it.
    oldest_heartbeat: Duration,
    /// The last time the primary's count showed the insert partly applied.
    partial_on_primary: Option<Instant>,
    /// When a secondary first answered that it holds some of the documents.
    replicated_at: Option<Instant>,
}

fn watch(primary: u16, secondary: u16, primary_host: &str, stop: &AtomicBool) -> Seen {
    let mut seen = Seen::default();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        // An unanswered count (10 s client timeout) counts with its full wait.
        let n = count_on_port(primary);
        seen.slowest_count = seen.slowest_count.max(t.elapsed());
        if n.is_some_and(|n| n > 0 && n < i64::from(DOCS)) {
            seen.partial_on_primary = Some(Instant::now());
        }
        if seen.replicated_at.is_none() && count_on_port(secondary).is_some_and(|n| n > 0) {
            seen.replicated_at = Some(Instant::now());
        }
        if let Some(age) = heartbeat_age(secondary, primary_host) {
            seen.oldest_heartbeat = seen.oldest_heartbeat.max(age);
        }
        thread::sleep(Duration::from_millis(20));
    }
    seen
}

#[test]
fn a_long_insert_keeps_the_primary_its_term_and_replicates() {
    let (members, _) = start_set(3, false);
    let refs: Vec<&Member> = members.iter().collect();
    let (p, _) = wait_primary(&refs, Duration::from_secs(30)).expect("a first primary");
    // Both secondaries up and following before the long write (an election needs them).
    let settled = wait_until(Duration::from_secs(30), || {
        members
            .iter()
            .enumerate()
            .all(|(i, m)| i == p || my_state(m) == Some(2))
    });
    assert!(settled, "secondaries never settled");
    let term = term_of(&members[p]).expect("term");
    let primary_host = members[p].host();
    let s = (p + 1) % members.len();

    let docs: Vec<Document> = (0..DOCS).map(|i| doc! {"_id": i, "x": i}).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, port, host) = (stop.clone(), members[p].port, primary_host.clone());
        let sec = members[s].port;
        thread::spawn(move || watch(port, sec, &host, &stop))
    };
    let mut c = members[p].connect();
    c.stream
        .set_read_timeout(Some(Duration::from_secs(600)))
        .expect("timeout");
    let started = Instant::now();
    let r = c.run(
        "test",
        doc! {"insert": "c", "documents": docs, "writeConcern": {"w": 1}},
    );
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let seen = watcher.join().expect("watcher");
    println!(
        "insert of {DOCS} documents took {took:?}; slowest count on the primary meanwhile {:?}; \
         stalest heartbeat answer seen by a secondary {:?}",
        seen.slowest_count, seen.oldest_heartbeat
    );
    assert!(ok(&r), "{r}\n{}", election_logs(&members));
    assert_eq!(r.get_i32("n").ok(), Some(DOCS), "{r}");
    // As on mongod, each document is its own write: readers on the primary see the insert partly
    // applied, and the secondaries replicate it as it goes (they held some of its documents while
    // the primary had not yet written them all).
    let partial = seen
        .partial_on_primary
        .expect("a count on the primary saw the insert partly applied");
    assert!(
        seen.replicated_at.is_some_and(|t| t < partial),
        "no secondary held any of the documents while the insert ran: {seen:?}"
    );

    // No election happened: same primary, same term everywhere.
    for m in &members {
        assert_eq!(
            term_of(m),
            Some(term),
            "the term moved during the insert\n{}",
            election_logs(&members)
        );
    }
    assert_eq!(is_writable_primary(&members[p]), Some(true));
    assert_eq!(count_on(&members[p]), Some(i64::from(DOCS)));

    // A w:majority write after it: everything before it is on a majority, then on everyone.
    // The wait covers the secondaries applying all of the insert (over 10 s on a loaded
    // machine), so it gets the long client timeout of the insert itself.
    let r = c.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": -1}],
        "writeConcern": {"w": "majority", "wtimeout": 120_000}},
    );
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    let everywhere = wait_until(Duration::from_secs(120), || {
        members
            .iter()
            .all(|m| count_on(m) == Some(i64::from(DOCS) + 1))
    });
    let counts: Vec<Option<i64>> = members.iter().map(count_on).collect();
    assert!(everywhere, "counts per member: {counts:?}");
    assert_eq!(
        term_of(&members[p]),
        Some(term),
        "{}",
        election_logs(&members)
    );
}
