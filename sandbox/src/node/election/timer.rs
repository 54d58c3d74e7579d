//! The election timer: one loop per member that decides, every tick, whether to stand
//! (electionTimeout without a primary, priority takeover, a one-member set), whether a primary
//! that cannot see a majority must step down, and when a quiet primary writes its periodic no-op.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{doc, DateTime};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{catchup_takeover, election_timeout, rules, run_election, visible_voters, Reason};
use crate::log;
use crate::node::config_view;
use crate::node::heartbeat::install::step_down_locked;
use crate::node::{MemberState, Node, Repl};

pub fn spawn(node: &Arc<Node>) {
    let node = node.clone();
    tokio::spawn(async move { timer_loop(node).await });
}

/// What the timer decided on one tick.
enum Action {
    Wait,
    Elect(Reason),
    /// The primary has written nothing for a while: the `periodic noop` keeps lastWrite fresh
    /// (drivers' maxStalenessSeconds relies on it).
    PeriodicNoop,
}

/// How long a primary stays silent before writing a `periodic noop` (mongod: 10 s).
const NOOP_INTERVAL_MS: i64 = 10_000;

/// Timer state kept by the loop between ticks.
struct Timer {
    rng: StdRng,
    /// Last contact with a primary (or last reset); the election fires `timeout` after it.
    last_contact: Instant,
    timeout: Duration,
    /// The electionTimeoutMillis `timeout` was drawn from (a new config may change it).
    base: Duration,
    takeover_at: Option<Instant>,
    catchup_takeover_at: Option<Instant>,
    /// The last vote cast that the timer has seen: granting a vote resets the timer, so the
    /// voter does not compete with the candidate it just voted for.
    seen_vote: Option<(i64, i32)>,
}

impl Timer {
    fn reset(&mut self, at: Instant, base: Duration) {
        self.last_contact = at;
        self.base = base;
        self.timeout = rules::randomized_timeout(base, &mut self.rng);
    }
}

async fn timer_loop(node: Arc<Node>) {
    let mut timer = Timer {
        rng: StdRng::from_entropy(),
        last_contact: Instant::now(),
        timeout: Duration::from_secs(10),
        base: Duration::from_secs(10),
        takeover_at: None,
        catchup_takeover_at: None,
        seen_vote: None,
    };
    loop {
        let (action, tick) = {
            let mut repl = node.repl();
            let tick = tick_length(&repl);
            (evaluate(&node, &mut repl, &mut timer), tick)
        };
        if let Action::PeriodicNoop = action {
            // The store lock may be held by a long command: wait for it off the runtime's
            // threads, which heartbeats and vote requests need.
            let store = node.store.clone();
            let noop = tokio::task::spawn_blocking(move || {
                store.append_noop(doc! {"msg": "periodic noop"});
            });
            if noop.await.is_ok() {
                node.notify_progress();
            }
        }
        if let Action::Elect(reason) = action {
            if let Err(why) = run_election(&node, reason, None).await {
                log::write(
                    'I',
                    "ELECTION",
                    4615655,
                    "ReplCoord",
                    "Not becoming primary",
                    doc! {"reason": why},
                );
            }
            let base = election_timeout(&node.repl());
            timer.reset(Instant::now(), base);
            timer.takeover_at = None;
            timer.catchup_takeover_at = None;
        }
        tokio::time::sleep(tick).await;
    }
}

fn tick_length(repl: &Repl) -> Duration {
    let hb = repl
        .config_doc
        .as_ref()
        .map(config_view::heartbeat_interval_millis)
        .unwrap_or(2000);
    Duration::from_millis((hb / 10).clamp(10, 100) as u64)
}

fn evaluate(node: &Node, repl: &mut Repl, timer: &mut Timer) -> Action {
    let base = election_timeout(repl);
    let now = Instant::now();
    if base != timer.base {
        timer.reset(timer.last_contact, base);
    }
    if repl.voted_for != timer.seen_vote {
        timer.seen_vote = repl.voted_for;
        timer.reset(now, base);
    }
    let Some(cfg) = repl.config_doc.as_ref() else {
        timer.reset(now, base);
        return Action::Wait;
    };
    let members = config_view::members(cfg);
    let Some(me) = repl.self_index.and_then(|i| members.get(i)).cloned() else {
        timer.reset(now, base);
        return Action::Wait;
    };
    let (seen, voters) = visible_voters(repl, &members, base);
    if repl.is_primary() {
        // The primary's own writes move the commit point too (alone in a one-member set).
        crate::node::replication::update_commit_point(node, repl);
        if seen < rules::majority(voters) {
            log::write(
                'I',
                "REPL",
                21809,
                "ReplCoord",
                "Can't see a majority of the set, relinquishing primary",
                doc! {"seen": seen as i64, "voters": voters as i64},
            );
            step_down_locked(
                node,
                repl,
                "Can't see a majority of the set, relinquishing primary",
            );
        }
        timer.reset(now, base);
        let idle_ms =
            DateTime::now().timestamp_millis() - node.store.last_applied_wall().timestamp_millis();
        if repl.is_writable_primary() && idle_ms >= NOOP_INTERVAL_MS {
            return Action::PeriodicNoop;
        }
        return Action::Wait;
    }
    if repl.reported_state() != MemberState::Secondary || !me.is_electable() {
        timer.reset(now, base);
        timer.takeover_at = None;
        timer.catchup_takeover_at = None;
        return Action::Wait;
    }
    let primary = repl.primary_index.filter(|p| Some(*p) != repl.self_index);
    let primary_health = primary.and_then(|p| repl.members.get(p));
    if let Some(t) = primary_health.and_then(|h| h.last_ok) {
        if t > timer.last_contact {
            timer.reset(t, base);
        }
    }
    if repl.is_frozen(now) {
        // No candidacy while frozen; the timer keeps running so an expired one fires on thaw.
        timer.takeover_at = None;
        timer.catchup_takeover_at = None;
        return Action::Wait;
    }
    if voters == 1 && me.is_voter() {
        return Action::Elect(Reason::SingleNodePromptElection);
    }
    // Priority takeover: a fresh member of higher priority than the primary.
    let takeover = primary.is_some_and(|p| {
        members.get(p).is_some_and(|pm| me.priority > pm.priority)
            && primary_health.is_some_and(|h| {
                h.up && rules::fresh_for_takeover(node.store.last_applied(), h.applied)
            })
    });
    if !takeover {
        timer.takeover_at = None;
    } else if let Some(at) = timer.takeover_at {
        if now >= at {
            return Action::Elect(Reason::PriorityTakeover);
        }
    } else {
        let electable = members
            .iter()
            .filter(|m| m.is_electable())
            .map(|m| m.priority);
        let rank = rules::priority_rank(me.priority, electable);
        timer.takeover_at = Some(now + rules::priority_takeover_delay(rank, base, &mut timer.rng));
    }
    if catchup_takeover_due(node, repl, &me, primary, timer, now) {
        return Action::Elect(Reason::CatchupTakeover);
    }
    if now.duration_since(timer.last_contact) >= timer.timeout {
        return Action::Elect(Reason::ElectionTimeout);
    }
    Action::Wait
}

/// Plans (or fires) a catch-up takeover of `primary`, re-checked on every tick.
fn catchup_takeover_due(
    node: &Node,
    repl: &Repl,
    me: &config_view::MemberView,
    primary: Option<usize>,
    timer: &mut Timer,
    now: Instant,
) -> bool {
    let setting = repl
        .config_doc
        .as_ref()
        .map(|c| config_view::setting(c, "catchUpTakeoverDelayMillis", 30_000))
        .unwrap_or(30_000);
    let health = primary.and_then(|p| repl.members.get(p));
    let wanted = health
        .filter(|h| h.up && h.state == MemberState::Primary)
        .is_some_and(|h| {
            let newest_other = repl
                .members
                .iter()
                .enumerate()
                .filter(|(i, m)| Some(*i) != repl.self_index && m.up)
                .map(|(_, m)| m.applied)
                .max()
                .unwrap_or(h.applied);
            catchup_takeover::wanted(&catchup_takeover::View {
                electable: me.is_electable(),
                my_applied: node.store.last_applied(),
                term: repl.term,
                primary_applied: h.applied,
                newest_other,
            })
        });
    let Some(delay) = catchup_takeover::delay(setting).filter(|_| wanted) else {
        timer.catchup_takeover_at = None;
        return false;
    };
    match timer.catchup_takeover_at {
        Some(at) => now >= at,
        None => {
            timer.catchup_takeover_at = Some(now + delay);
            false
        }
    }
}
