//! One member's shared state: the replica-set view (`Repl`, behind a mutex), the topologyVersion
//! counter with its notifier (awaitable hello), connection ids, and the progress notifier that
//! write-concern waits sleep on.
//!
//! Locking rule: hold `Node::repl()` only for quick reads and updates, never across an `.await`.
//! Callers that change anything hello shows must call `Node::bump_topology()` (or use
//! `Node::set_state`), so awaitable hellos wake up.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bson::oid::ObjectId;
use bson::{doc, DateTime, Document, Timestamp};
use tokio::sync::watch;

use crate::data::OpTime;

/// Member states with the codes and strings of replSetGetStatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberState {
    Startup,
    Primary,
    Secondary,
    Recovering,
    Startup2,
    Unknown,
    Arbiter,
    Down,
    Rollback,
    Removed,
}

impl MemberState {
    pub fn code(self) -> i32 {
        match self {
            MemberState::Startup => 0,
            MemberState::Primary => 1,
            MemberState::Secondary => 2,
            MemberState::Recovering => 3,
            MemberState::Startup2 => 5,
            MemberState::Unknown => 6,
            MemberState::Arbiter => 7,
            MemberState::Down => 8,
            MemberState::Rollback => 9,
            MemberState::Removed => 10,
        }
    }

    pub fn from_code(code: i32) -> Option<MemberState> {
        Some(match code {
            0 => MemberState::Startup,
            1 => MemberState::Primary,
            2 => MemberState::Secondary,
            3 => MemberState::Recovering,
            5 => MemberState::Startup2,
            6 => MemberState::Unknown,
            7 => MemberState::Arbiter,
            8 => MemberState::Down,
            9 => MemberState::Rollback,
            10 => MemberState::Removed,
            _ => return None,
        })
    }

    /// `stateStr` as replSetGetStatus prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Startup => "STARTUP",
            MemberState::Primary => "PRIMARY",
            MemberState::Secondary => "SECONDARY",
            MemberState::Recovering => "RECOVERING",
            MemberState::Startup2 => "STARTUP2",
            MemberState::Unknown => "UNKNOWN",
            MemberState::Arbiter => "ARBITER",
            MemberState::Down => "(not reachable/healthy)",
            MemberState::Rollback => "ROLLBACK",
            MemberState::Removed => "REMOVED",
        }
    }

    /// States whose data may be read with a secondary read preference.
    pub fn is_readable(self) -> bool {
        matches!(self, MemberState::Primary | MemberState::Secondary)
    }
}

/// What this member knows about another member, kept fresh by heartbeats (sbrepl) and shown by
/// replSetGetStatus. Indexed like the config's `members`; the self slot is unused.
#[derive(Debug, Clone)]
pub struct MemberHealth {
    /// Heartbeats answered recently (health 1) or not (health 0, state DOWN).
    pub up: bool,
    /// The state it reported; `Unknown` before the first answer, `Down` after the timeout.
    pub state: MemberState,
    /// Seconds since it came up, as it reported.
    pub uptime_secs: i64,
    pub applied: OpTime,
    pub durable: OpTime,
    pub applied_wall: DateTime,
    pub durable_wall: DateTime,
    /// When we last sent / received a heartbeat to / from it (`None` → 1970 in status).
    pub last_heartbeat: Option<DateTime>,
    pub last_heartbeat_recv: Option<DateTime>,
    /// Last successful contact (drives DOWN after heartbeatTimeoutSecs).
    pub last_ok: Option<Instant>,
    /// When this entry was created (the config that brought the member in was installed): a
    /// member not heard from yet counts as live for one election timeout after that, like
    /// mongod's member timeouts reset on config install.
    pub tracked_since: Instant,
    pub ping_ms: i64,
    /// `""` when healthy, else e.g. `Error connecting to h:p (127.0.0.1:p) :: caused by :: Connection refused`.
    pub last_heartbeat_message: String,
    pub sync_source_host: String,
    pub sync_source_id: i32,
    pub config_version: i64,
    pub config_term: i64,
    /// Its term as last reported.
    pub term: i64,
    /// Set when it reports being primary.
    pub election_time: Option<Timestamp>,
    pub election_date: Option<DateTime>,
}

impl Default for MemberHealth {
    fn default() -> Self {
        MemberHealth {
            up: false,
            state: MemberState::Unknown,
            uptime_secs: 0,
            applied: OpTime::null(),
            durable: OpTime::null(),
            applied_wall: DateTime::from_millis(0),
            durable_wall: DateTime::from_millis(0),
            last_heartbeat: None,
            last_heartbeat_recv: None,
            last_ok: None,
            tracked_since: Instant::now(),
            ping_ms: 0,
            last_heartbeat_message: String::new(),
            sync_source_host: String::new(),
            sync_source_id: -1,
            config_version: -1,
            config_term: -1,
            term: -1,
            election_time: None,
            election_date: None,
        }
    }
}

/// The replica-set view of this member. All fields are plain data; see the locking rule above.
#[derive(Debug)]
pub struct Repl {
    /// `--replSet` name (None: not started with --replSet).
    pub set_name: Option<String>,
    /// The installed config as a document (replSetGetConfig's shape); `None` until initiated.
    pub config_doc: Option<Document>,
    /// This member's index in the config's `members` (`None` with a config: REMOVED).
    pub self_index: Option<usize>,
    pub state: MemberState,
    pub term: i64,
    /// `(term, candidate _id)` of the last vote cast, persisted with the term.
    pub voted_for: Option<(i64, i32)>,
    /// One entry per config member, same order (the self slot is left default).
    pub members: Vec<MemberHealth>,
    /// Index of the member known to be primary (self included).
    pub primary_index: Option<usize>,
    /// PRIMARY but still draining/catching up: hello says `isWritablePrimary: false, secondary: true`.
    pub draining: bool,
    /// A stepdown attempt is running: hello already says `isWritablePrimary: false`.
    pub stepping_down: bool,
    /// replSetFreeze / stepdown period: no candidacy before this instant.
    pub frozen_until: Option<Instant>,
    pub stepdown_until: Option<Instant>,
    /// replSetMaintenance counter (SECONDARY with a count > 0 reports RECOVERING).
    pub maintenance: u32,
    /// Index of the member we pull the oplog from.
    pub sync_source: Option<usize>,
    /// Set by replSetSyncFrom; the replication loop honours it once.
    pub sync_from_requested: Option<usize>,
    /// Newest optime known to be on a majority of voters (lastCommittedOpTime).
    pub last_committed: OpTime,
    pub last_committed_wall: DateTime,
    /// When this member last won an election.
    pub election_time: Option<Timestamp>,
    pub election_date: Option<DateTime>,
    /// replSetGetStatus `electionCandidateMetrics` / `electionParticipantMetrics`.
    pub election_candidate_metrics: Option<Document>,
    pub election_participant_metrics: Option<Document>,
    /// replSetInitiate/replSetReconfig running (109 ConfigurationInProgress for another).
    pub config_in_progress: bool,
}

impl Repl {
    pub fn new(set_name: Option<String>) -> Repl {
        Repl {
            set_name,
            config_doc: None,
            self_index: None,
            state: MemberState::Startup,
            term: 0,
            voted_for: None,
            members: Vec::new(),
            primary_index: None,
            draining: false,
            stepping_down: false,
            frozen_until: None,
            stepdown_until: None,
            maintenance: 0,
            sync_source: None,
            sync_from_requested: None,
            last_committed: OpTime::null(),
            last_committed_wall: DateTime::from_millis(0),
            election_time: None,
            election_date: None,
            election_candidate_metrics: None,
            election_participant_metrics: None,
            config_in_progress: false,
        }
    }

    pub fn is_primary(&self) -> bool {
        self.state == MemberState::Primary
    }

    /// Accepts writes: PRIMARY, drain finished, no stepdown attempt running.
    pub fn is_writable_primary(&self) -> bool {
        self.state == MemberState::Primary && !self.draining && !self.stepping_down
    }

    /// The state this member reports: maintenance turns SECONDARY into RECOVERING.
    pub fn reported_state(&self) -> MemberState {
        if self.state == MemberState::Secondary && self.maintenance > 0 {
            MemberState::Recovering
        } else {
            self.state
        }
    }

    /// Whether this member may stand for election right now, as far as timers go.
    pub fn is_frozen(&self, now: Instant) -> bool {
        self.frozen_until.is_some_and(|t| t > now) || self.stepdown_until.is_some_and(|t| t > now)
    }
}

/// `topologyVersion`: a process id fixed at start and a counter every hello-visible change bumps.
#[derive(Debug)]
pub struct TopologyVersion {
    pub process_id: ObjectId,
    counter: watch::Sender<i64>,
}

impl TopologyVersion {
    pub fn new() -> TopologyVersion {
        TopologyVersion {
            process_id: ObjectId::new(),
            counter: watch::channel(0).0,
        }
    }

    pub fn counter(&self) -> i64 {
        *self.counter.borrow()
    }

    /// Increments the counter and wakes every awaitable hello; returns the new value.
    pub fn bump(&self) -> i64 {
        let mut next = 0;
        self.counter.send_modify(|c| {
            *c += 1;
            next = *c;
        });
        next
    }

    pub fn to_document(&self) -> Document {
        doc! {"processId": self.process_id, "counter": self.counter()}
    }

    /// Waits until the counter differs from `seen` or `max_wait` passes (awaitable hello).
    pub async fn wait_change(&self, seen: i64, max_wait: Duration) {
        let mut rx = self.counter.subscribe();
        let _ = tokio::time::timeout(max_wait, rx.wait_for(|c| *c != seen)).await;
    }
}

impl Default for TopologyVersion {
    fn default() -> Self {
        Self::new()
    }
}

/// Member state and topology that do not need the config or the store: shared by every part of
/// the node. `Node` (node/mod.rs) owns one.
#[derive(Debug)]
pub struct Shared {
    repl: Mutex<Repl>,
    pub topology: TopologyVersion,
    /// Bumped whenever a member's applied/durable optime or the commit point moves; write concern
    /// waits subscribe to it.
    progress: watch::Sender<u64>,
    next_connection_id: AtomicI32,
    pub started: Instant,
    /// Commands running and connections open (currentOp, killOp).
    pub ops: super::ops::Ops,
    /// fsync lock, runtime parameters, top counters, sessions seen.
    pub admin: super::commands::admin_state::AdminState,
}

impl Shared {
    pub fn new(set_name: Option<String>) -> Shared {
        Shared {
            repl: Mutex::new(Repl::new(set_name)),
            topology: TopologyVersion::new(),
            progress: watch::channel(0).0,
            next_connection_id: AtomicI32::new(1),
            started: Instant::now(),
            ops: super::ops::Ops::default(),
            admin: Default::default(),
        }
    }

    /// The replica-set view. Poisoning is ignored: the data stays usable for the other tasks.
    pub fn repl(&self) -> MutexGuard<'_, Repl> {
        self.repl.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the member state (through a held guard) and bumps topologyVersion when it differs.
    /// Returns true when it changed.
    pub fn set_state(&self, repl: &mut Repl, state: MemberState) -> bool {
        if repl.state == state {
            return false;
        }
        repl.state = state;
        if state != MemberState::Primary {
            repl.draining = false;
            repl.stepping_down = false;
        }
        self.topology.bump();
        true
    }

    pub fn bump_topology(&self) -> i64 {
        self.topology.bump()
    }

    /// A fresh connectionId (hello's `connectionId`, log lines).
    pub fn next_connection_id(&self) -> i32 {
        self.next_connection_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Connections accepted since start.
    pub fn connections_created(&self) -> i64 {
        i64::from(self.next_connection_id.load(Ordering::Relaxed)) - 1
    }

    pub fn uptime_secs(&self) -> i64 {
        self.started.elapsed().as_secs() as i64
    }

    /// Called by replication/heartbeats when any member's position or the commit point moves.
    pub fn notify_progress(&self) {
        self.progress.send_modify(|c| *c = c.wrapping_add(1));
    }

    /// Waits until `done()` holds (checked now and after each progress notification) or
    /// `timeout` passes (`None`: no limit). Returns whether `done()` held.
    pub async fn wait_progress(
        &self,
        timeout: Option<Duration>,
        mut done: impl FnMut() -> bool,
    ) -> bool {
        let mut rx = self.progress.subscribe();
        let wait = async {
            loop {
                rx.borrow_and_update();
                if done() {
                    return true;
                }
                if rx.changed().await.is_err() {
                    return done();
                }
            }
        };
        match timeout {
            Some(t) => tokio::time::timeout(t, wait).await.unwrap_or(false),
            None => wait.await,
        }
    }
}

/// `electionId` for a term: `7fffffff` followed by the term as 8 big-endian bytes.
pub fn election_id(term: i64) -> ObjectId {
    let mut b = [0u8; 12];
    b[..4].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
    b[4..].copy_from_slice(&term.to_be_bytes());
    ObjectId::from_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_round_trip_and_strings() {
        for code in [0, 1, 2, 3, 5, 6, 7, 8, 9, 10] {
            assert_eq!(
                MemberState::from_code(code).map(MemberState::code),
                Some(code)
            );
        }
        assert_eq!(MemberState::from_code(4), None);
        assert_eq!(MemberState::Down.as_str(), "(not reachable/healthy)");
        assert_eq!(MemberState::Startup2.as_str(), "STARTUP2");
    }

    #[test]
    fn election_id_encodes_term() {
        assert_eq!(election_id(1).to_hex(), "7fffffff0000000000000001");
        assert_eq!(election_id(695).to_hex(), "7fffffff00000000000002b7");
        assert!(election_id(2).bytes() > election_id(1).bytes());
    }

    #[test]
    fn maintenance_reports_recovering_and_set_state_bumps() {
        let s = Shared::new(Some("rs0".into()));
        let before = s.topology.counter();
        let mut r = s.repl();
        assert!(s.set_state(&mut r, MemberState::Secondary));
        assert!(!s.set_state(&mut r, MemberState::Secondary));
        r.maintenance = 1;
        assert_eq!(r.reported_state(), MemberState::Recovering);
        drop(r);
        assert_eq!(s.topology.counter(), before + 1);
        assert_ne!(s.next_connection_id(), s.next_connection_id());
    }

    #[tokio::test]
    async fn awaitable_wait_returns_on_bump_not_before() {
        let s = std::sync::Arc::new(Shared::new(None));
        let seen = s.topology.counter();
        let s2 = s.clone();
        let waiter = tokio::spawn(async move {
            s2.topology.wait_change(seen, Duration::from_secs(30)).await;
            s2.topology.counter()
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        s.bump_topology();
        let got = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, seen + 1);
    }

    #[tokio::test]
    async fn wait_progress_sees_notifications_and_times_out() {
        let s = std::sync::Arc::new(Shared::new(None));
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s2, f2) = (s.clone(), flag.clone());
        let w = tokio::spawn(async move {
            s2.wait_progress(Some(Duration::from_secs(30)), || f2.load(Ordering::SeqCst))
                .await
        });
        tokio::task::yield_now().await;
        flag.store(true, Ordering::SeqCst);
        s.notify_progress();
        assert!(tokio::time::timeout(Duration::from_secs(5), w)
            .await
            .unwrap()
            .unwrap());
        assert!(
            !s.wait_progress(Some(Duration::from_millis(10)), || false)
                .await
        );
    }
}
