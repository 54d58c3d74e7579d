//! Helpers for the failover and election tests: start a fast replica set of rsh-sandbox
//! processes, ask members questions without panicking when one is dead, and wait for roles.

use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};

use crate::node::Member;
use crate::poll::wait_for;
use crate::wire::{ok, try_run, try_run_within, Client};

/// Fast timing for tests (the defaults are 2000 / 10000 / 10).
pub const HEARTBEAT_MS: i32 = 200;
pub const ELECTION_TIMEOUT_MS: i32 = 1000;
pub const HEARTBEAT_TIMEOUT_SECS: i32 = 2;

pub fn fast_settings() -> Document {
    doc! {
        "heartbeatIntervalMillis": HEARTBEAT_MS,
        "electionTimeoutMillis": ELECTION_TIMEOUT_MS,
        "heartbeatTimeoutSecs": HEARTBEAT_TIMEOUT_SECS,
    }
}

pub fn admin(m: &Member, cmd: Document) -> Option<Document> {
    try_run(m.port, "admin", cmd)
}

/// The config document `replSetInitiate` gets: members in order, optional arbiter last.
pub fn config(members: &[&Member], arbiter: Option<&Member>) -> Document {
    let mut list: Vec<Bson> = members
        .iter()
        .enumerate()
        .map(|(i, m)| Bson::Document(doc! {"_id": i as i32, "host": m.host()}))
        .collect();
    if let Some(a) = arbiter {
        list.push(Bson::Document(
            doc! {"_id": list.len() as i32, "host": a.host(), "arbiterOnly": true},
        ));
    }
    doc! {"_id": "rs0", "members": list, "settings": fast_settings()}
}

/// Starts `n` data members (and an arbiter) with `--replSet rs0` and initiates them from the
/// first. Returns the data members and the arbiter.
pub fn start_set(n: usize, with_arbiter: bool) -> (Vec<Member>, Option<Member>) {
    let members: Vec<Member> = (0..n)
        .map(|_| Member::sandbox(&["--replSet", "rs0"]))
        .collect();
    let arbiter = with_arbiter.then(|| Member::sandbox(&["--replSet", "rs0"]));
    let refs: Vec<&Member> = members.iter().collect();
    let cfg = config(&refs, arbiter.as_ref());
    let r = admin(&members[0], doc! {"replSetInitiate": cfg}).expect("initiate reply");
    assert!(ok(&r), "replSetInitiate failed: {r}");
    (members, arbiter)
}

/// `isWritablePrimary` from hello, `None` when the member does not answer.
pub fn is_writable_primary(m: &Member) -> Option<bool> {
    admin(m, doc! {"hello": 1}).map(|h| h.get_bool("isWritablePrimary").unwrap_or(false))
}

/// `myState` from replSetGetStatus.
pub fn my_state(m: &Member) -> Option<i32> {
    admin(m, doc! {"replSetGetStatus": 1}).and_then(|s| s.get_i32("myState").ok())
}

/// Index of the writable primary among `members` (dead ones are skipped), polled up to
/// `limit`; also returns how long it took.
pub fn wait_primary(members: &[&Member], limit: Duration) -> Option<(usize, Duration)> {
    let start = Instant::now();
    loop {
        let found: Vec<usize> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.child.is_some() && is_writable_primary(m) == Some(true))
            .map(|(i, _)| i)
            .collect();
        if found.len() == 1 {
            return Some((found[0], start.elapsed()));
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Inserts `docs` into test.c with `w: "majority"`; the reply. The client waits longer than
/// the server's `wtimeout`, so a write that is not acknowledged in time comes back with its
/// writeConcernError rather than as no reply.
pub fn insert_majority(m: &Member, docs: Vec<Document>) -> Option<Document> {
    try_run_within(
        m.port,
        "test",
        doc! {"insert": "c", "documents": docs, "writeConcern": {"w": "majority", "wtimeout": 10_000}},
        Duration::from_secs(20),
    )
}

/// The `_id`s in test.c as read on `m` (secondary reads allowed), sorted.
pub fn ids_on(m: &Member) -> Option<Vec<i32>> {
    let r = try_run(
        m.port,
        "test",
        doc! {"find": "c", "batchSize": 10_000, "$readPreference": {"mode": "secondaryPreferred"}},
    )?;
    let batch = r
        .get_document("cursor")
        .ok()?
        .get_array("firstBatch")
        .ok()?;
    let mut ids: Vec<i32> = batch
        .iter()
        .filter_map(|d| d.as_document().and_then(|d| d.get_i32("_id").ok()))
        .collect();
    ids.sort_unstable();
    Some(ids)
}

/// The status entry of member `_id` in `m`'s replSetGetStatus.
pub fn member_entry(m: &Member, id: i32) -> Option<Document> {
    let s = admin(m, doc! {"replSetGetStatus": 1})?;
    s.get_array("members")
        .ok()?
        .iter()
        .filter_map(Bson::as_document)
        .find(|e| e.get_i32("_id").ok() == Some(id))
        .cloned()
}

/// Every member's log lines about elections and state (for failure messages).
pub fn election_logs(members: &[Member]) -> String {
    let mut out = String::new();
    for m in members {
        out.push_str(&format!("== {}\n", m.host()));
        for line in m.log().lines() {
            let interesting = [
                "ELECTION",
                "vote",
                "Stepping",
                "Handing",
                "state transition",
                "Updating term",
                "RS_DOWN",
            ];
            if interesting.iter().any(|k| line.contains(k)) {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Starts three members of `rs0`, initiates them with fast timings through the first, and
/// waits for a primary; returns the members and the primary's host.
pub fn fast_set() -> (Vec<Member>, String) {
    let members: Vec<Member> = (0..3)
        .map(|_| Member::sandbox(&["--replSet", "rs0"]))
        .collect();
    let list: Vec<Document> = members
        .iter()
        .enumerate()
        .map(|(i, m)| doc! {"_id": i as i32, "host": m.host()})
        .collect();
    let cfg = doc! {"_id": "rs0", "members": list, "settings": fast_settings()};
    let r = members[0].connect().admin(doc! {"replSetInitiate": cfg});
    assert!(ok(&r), "{r}");
    let primary = settled_primary(&members, Duration::from_secs(60))
        .expect("one primary that all members agree on within 60 s");
    (members, primary)
}

/// The primary's host once every member has named it, the others being SECONDARY, for longer
/// than an election timeout. Tests address the primary by host: on a loaded machine a set that
/// has just elected may elect again while its members finish starting, and a test that then
/// writes to the first primary, or kills it, tests the wrong member.
pub fn settled_primary(members: &[Member], limit: Duration) -> Option<String> {
    let hold = Duration::from_millis(ELECTION_TIMEOUT_MS as u64 * 3 / 2);
    let deadline = Instant::now() + limit;
    let mut agreed: Option<(String, Instant)> = None;
    while Instant::now() < deadline {
        let views: Vec<Option<Document>> = members
            .iter()
            .map(|m| admin(m, doc! {"hello": 1}))
            .collect();
        let named = views
            .first()
            .and_then(|v| v.as_ref())
            .and_then(|h| h.get_str("primary").ok())
            .map(str::to_string);
        let all_agree = named.as_deref().is_some_and(|p| {
            views.iter().zip(members).all(|(v, m)| {
                v.as_ref().is_some_and(|h| {
                    let role = if m.host() == p {
                        h.get_bool("isWritablePrimary")
                    } else {
                        h.get_bool("secondary")
                    };
                    h.get_str("primary").ok() == Some(p) && role == Ok(true)
                })
            })
        });
        match (all_agree, named) {
            (true, Some(p)) => match &agreed {
                Some((q, since)) if *q == p => {
                    if since.elapsed() >= hold {
                        return Some(p);
                    }
                }
                _ => agreed = Some((p, Instant::now())),
            },
            _ => agreed = None,
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

/// Give the set of [`fast_set`] a 60 s election timeout (heartbeats stay fast) and wait until
/// every member runs that config: for tests in which an election would be a disturbance, not
/// the subject, since on a loaded machine a 1 s timeout can pass between two heartbeats.
pub fn without_elections(members: &[Member], primary: &str) {
    let p = members
        .iter()
        .find(|m| m.host() == primary)
        .expect("the primary is one of the members");
    let mut cfg = current_config(&mut p.connect());
    let version = cfg.get_i32("version").expect("config version") + 1;
    cfg.insert("version", version);
    let mut settings = cfg.get_document("settings").cloned().unwrap_or_default();
    settings.insert("electionTimeoutMillis", 60_000);
    cfg.insert("settings", settings);
    let r = p.connect().admin(doc! {"replSetReconfig": cfg});
    assert!(ok(&r), "{r}");
    let everywhere = wait_for(Duration::from_secs(30), || {
        members
            .iter()
            .all(|m| {
                admin(m, doc! {"replSetGetConfig": 1})
                    .and_then(|c| c.get_document("config").ok().cloned())
                    .and_then(|c| c.get_i32("version").ok())
                    == Some(version)
            })
            .then_some(())
    });
    assert!(
        everywhere.is_some(),
        "config {version} did not reach every member"
    );
}

/// The primary's replSetGetConfig `config`.
pub fn current_config(c: &mut Client) -> Document {
    c.admin(doc! {"replSetGetConfig": 1})
        .get_document("config")
        .expect("replSetGetConfig config")
        .clone()
}

/// A one-member set `rs0` on a fresh sandbox, waited for until it is a writable primary.
pub fn one_member_primary() -> Member {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let cfg = doc! {"_id": "rs0", "members": [{"_id": 0, "host": m.host()}]};
    let r = m.connect().admin(doc! {"replSetInitiate": cfg});
    assert!(ok(&r), "{r}");
    wait_for(Duration::from_secs(30), || {
        let h = m.connect().admin(doc! {"hello": 1});
        h.get_bool("isWritablePrimary")
            .unwrap_or(false)
            .then_some(())
    })
    .expect("a primary within 30 s");
    m
}

/// A two-member set `rs0` with fast settings: `a` (priority 2) as writable primary and `b`
/// (priority 0) as SECONDARY, returned once both are in those states.
pub fn primary_and_secondary(args: &[&str]) -> (Member, Member) {
    let a = Member::sandbox(args);
    let b = Member::sandbox(args);
    let cfg = doc! {"_id": "rs0", "members": [
        {"_id": 0, "host": a.host(), "priority": 2},
        {"_id": 1, "host": b.host(), "priority": 0},
    ], "settings": fast_settings()};
    assert!(ok(&a.connect().admin(doc! {"replSetInitiate": cfg})));
    wait_for(Duration::from_secs(30), || {
        is_writable_primary(&a)
            .filter(|p| *p)
            .and_then(|_| my_state(&b).filter(|s| *s == 2))
    })
    .expect("a primary and a secondary");
    (a, b)
}
