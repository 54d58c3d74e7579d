//! Elections (protocol version 1): the election timer, dry run then real vote, winning (new term,
//! electionId, `new primary` no-op), a primary that cannot see a majority stepping down, and
//! priority takeover. The per-tick decisions live in `timer`, the pure rules in `rules`.
//!
//! After winning, the catch-up phase (`catchup`) copies what a member ahead of the winner has
//! before writes are accepted; a fresher member may take over from a primary stuck in that phase
//! (`catchup_takeover`).

pub mod catchup;
pub mod catchup_takeover;
pub mod rules;
mod timer;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{doc, DateTime, Document};
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::config_view::{self, MemberView};
use super::heartbeat::install::{adopt_term, set_state};
use super::heartbeat::proto::int;
use super::peer::peers;
use super::{MemberState, Node, Repl};
use crate::data::OpTime;
use crate::log;
use rules::{CandidateView, VoteRequest};

/// Why an election was started (`electionCandidateMetrics.lastElectionReason`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    ElectionTimeout,
    PriorityTakeover,
    CatchupTakeover,
    StepUpRequest,
    StepUpRequestSkipDryRun,
    SingleNodePromptElection,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ElectionTimeout => "electionTimeout",
            Reason::PriorityTakeover => "priorityTakeover",
            Reason::CatchupTakeover => "catchupTakeover",
            Reason::StepUpRequest => "stepUpRequest",
            Reason::StepUpRequestSkipDryRun => "stepUpRequestSkipDryRun",
            Reason::SingleNodePromptElection => "singleNodePromptElection",
        }
    }
}

/// An election attempt is under way. One member runs per process, so a process-wide flag is
/// this member's flag (replSetFreeze and replSetMaintenance refuse while it is set).
static RUNNING: AtomicBool = AtomicBool::new(false);

pub fn is_running() -> bool {
    RUNNING.load(Ordering::SeqCst)
}

struct RunningGuard;

impl Drop for RunningGuard {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::SeqCst);
    }
}

/// Starts the election timer loop.
pub fn spawn(node: &Arc<Node>) {
    timer::spawn(node);
}

fn election_timeout(repl: &Repl) -> Duration {
    let ms = repl
        .config_doc
        .as_ref()
        .map(config_view::election_timeout_millis)
        .unwrap_or(10_000);
    Duration::from_millis(ms.max(1) as u64)
}

/// Voters (self included) heard from within the election timeout, and the voter count.
fn visible_voters(repl: &Repl, members: &[MemberView], window: Duration) -> (usize, usize) {
    let mut seen = 0;
    let mut voters = 0;
    for (i, _) in members.iter().enumerate().filter(|(_, m)| m.is_voter()) {
        voters += 1;
        // A member never heard from gets one window of grace from the config that added it,
        // so adding a member to a small set does not depose the primary at once.
        let fresh = repl.members.get(i).is_some_and(|h| {
            (h.up && h.last_ok.is_some_and(|t| t.elapsed() < window))
                || (h.last_ok.is_none() && h.tracked_since.elapsed() < window)
        });
        if Some(i) == repl.self_index || fresh {
            seen += 1;
        }
    }
    (seen, voters)
}

/// What the candidate needs after reading its state once.
struct Plan {
    request: VoteRequest,
    targets: Vec<String>,
    needed: usize,
    self_votes: usize,
    timeout: Duration,
    priority: f64,
    my_id: i32,
}

fn plan(node: &Node, repl: &Repl) -> Result<Plan, String> {
    let cfg = repl.config_doc.as_ref().ok_or("no config")?;
    let members = config_view::members(cfg);
    let idx = repl.self_index.ok_or("not a member of the config")?;
    let me = members.get(idx).ok_or("not a member of the config")?;
    let timeout = election_timeout(repl);
    let (seen, voters) = visible_voters(repl, &members, timeout);
    let now = Instant::now();
    // Frozen and post-stepdown members refuse step-up requests too (mongod keeps one timer).
    let unelectable_until = if !repl.is_frozen(now) {
        None
    } else {
        let until = [repl.frozen_until, repl.stepdown_until]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(now);
        Some(chrono::Utc::now() + until.saturating_duration_since(now))
    };
    let last_applied = node.store.last_applied();
    let view = CandidateView {
        is_secondary: repl.reported_state() == MemberState::Secondary,
        is_arbiter: me.arbiter_only,
        priority: me.priority,
        unelectable_until,
        sees_majority: seen >= rules::majority(voters),
        last_applied,
    };
    rules::may_stand(&view, chrono::Utc::now())?;
    let targets = members
        .iter()
        .enumerate()
        .filter(|(i, m)| *i != idx && m.is_voter())
        .map(|(_, m)| m.host.clone())
        .collect();
    Ok(Plan {
        request: VoteRequest {
            set_name: config_view::set_name(cfg).to_string(),
            dry_run: true,
            term: repl.term + 1,
            candidate_index: me.id,
            candidate_host: me.host.clone(),
            config_version: config_view::version(cfg),
            config_term: config_view::term(cfg),
            last_applied,
        },
        targets,
        needed: rules::majority(voters),
        self_votes: usize::from(me.is_voter()),
        timeout,
        priority: me.priority,
        my_id: me.id,
    })
}

/// Asks every other voter; returns the votes granted (self included) and the highest term seen.
async fn collect_votes(plan: &Plan, req: &VoteRequest) -> (usize, i64) {
    let cmd = req.to_command();
    // Each request runs as its own task: replies are counted as they come and counting stops at
    // a majority (one slow voter cannot stall the election), while the remaining voters still
    // receive the request and learn the new term.
    let mut pending: FuturesUnordered<_> = plan
        .targets
        .iter()
        .map(|h| {
            let (host, cmd, timeout) = (h.clone(), cmd.clone(), plan.timeout);
            tokio::spawn(async move { peers().command(&host, &cmd, timeout).await })
        })
        .collect();
    let mut votes = plan.self_votes;
    let mut max_term = req.term;
    while votes < plan.needed {
        let Some(reply) = pending.next().await else {
            break;
        };
        let Ok(Ok(r)) = reply else {
            continue;
        };
        if let Some(t) = int(&r, "term") {
            max_term = max_term.max(t);
        }
        if r.get_bool("voteGranted").unwrap_or(false) {
            votes += 1;
        }
    }
    (votes, max_term)
}

/// Runs one election: dry run (unless `skip_dry_run` reasons), then the real vote with term + 1.
/// `prior_primary` is the `_id` of the member that handed over (stepdown handoff).
pub async fn run_election(
    node: &Arc<Node>,
    reason: Reason,
    prior_primary: Option<i32>,
) -> Result<(), String> {
    if RUNNING.swap(true, Ordering::SeqCst) {
        return Err("an election is already in progress".into());
    }
    let _guard = RunningGuard;
    let mut plan = {
        let repl = node.repl();
        plan(node, &repl)?
    };
    if reason != Reason::StepUpRequestSkipDryRun && plan.needed > plan.self_votes {
        log::write(
            'I',
            "ELECTION",
            21438,
            "ReplCoord",
            "Conducting a dry run election to see if we could be elected",
            doc! {"currentTerm": plan.request.term - 1},
        );
        let (votes, max_term) = collect_votes(&plan, &plan.request).await;
        if max_term >= plan.request.term && votes < plan.needed {
            let mut repl = node.repl();
            adopt_term(node, &mut repl, max_term, "dry run election");
        }
        if votes < plan.needed {
            return Err(format!(
                "not enough votes in the dry run: {votes} of {} needed",
                plan.needed
            ));
        }
    }
    // Real election: take the new term and vote for ourselves first.
    {
        let mut repl = node.repl();
        if repl.term + 1 != plan.request.term || repl.reported_state() != MemberState::Secondary {
            return Err("the term or member state changed during the dry run".into());
        }
        repl.term = plan.request.term;
        repl.voted_for = Some((plan.request.term, plan.my_id));
        node.persist_term(&repl);
    }
    log::write(
        'I',
        "ELECTION",
        21444,
        "ReplCoord",
        "Running for election",
        doc! {"term": plan.request.term, "reason": reason.as_str()},
    );
    plan.request.dry_run = false;
    let (votes, max_term) = collect_votes(&plan, &plan.request).await;
    {
        let mut repl = node.repl();
        if max_term > repl.term {
            adopt_term(node, &mut repl, max_term, "vote response");
        }
        if repl.term != plan.request.term || repl.reported_state() != MemberState::Secondary {
            return Err("the term or member state changed during the election".into());
        }
        if votes < plan.needed {
            return Err(format!(
                "lost the election: {votes} of {} votes needed",
                plan.needed
            ));
        }
        become_primary(node, &mut repl, &plan, reason, prior_primary);
    }
    let caught_up = catchup::run(node, plan.request.term).await;
    let mut repl = node.repl();
    if let (Some((goal, n)), Some(m)) = (caught_up, repl.election_candidate_metrics.as_mut()) {
        m.insert("targetCatchupOpTime", goal.to_document());
        m.insert("numCatchUpOps", n);
    }
    let last_committed = repl.last_committed;
    drop(repl);
    // Entering the new term: the `new primary` no-op, then writes are accepted (drain complete).
    let noop = node.store.append_noop(doc! {"msg": "new primary"});
    let mut repl = node.repl();
    if repl.is_primary() && repl.term == plan.request.term {
        repl.election_time = Some(noop.ts);
        repl.election_date = Some(DateTime::from_millis(i64::from(noop.ts.time) * 1000));
        repl.draining = false;
        if let Some(m) = repl.election_candidate_metrics.as_mut() {
            m.insert(
                "lastCommittedOpTimeAtElection",
                last_committed.to_document(),
            );
        }
        node.bump_topology();
        bump_config_term(node, &mut repl);
        super::replication::update_commit_point(node, &mut repl);
    }
    drop(repl);
    node.notify_progress();
    Ok(())
}

/// mongod's config term bump on stepup: the same config version stamped with the new term, so
/// rs.conf() shows it and the members learn it by heartbeat. A forced config (no term) stays.
fn bump_config_term(node: &Node, repl: &mut Repl) {
    let term = repl.term;
    let Some(cfg) = repl.config_doc.as_mut() else {
        return;
    };
    if !cfg.contains_key("term") || config_view::term(cfg) == term {
        return;
    }
    let value = i32::try_from(term)
        .map(bson::Bson::Int32)
        .unwrap_or(bson::Bson::Int64(term));
    cfg.insert("term", value);
    node.store.set_replset_config(cfg);
    node.bump_topology();
}

fn become_primary(
    node: &Node,
    repl: &mut Repl,
    plan: &Plan,
    reason: Reason,
    prior_primary: Option<i32>,
) {
    let now = DateTime::now();
    let mut metrics = doc! {
        "lastElectionReason": reason.as_str(),
        "lastElectionDate": now,
        "electionTerm": plan.request.term,
        "lastCommittedOpTimeAtElection": repl.last_committed.to_document(),
        "lastSeenOpTimeAtElection": plan.request.last_applied.to_document(),
        "numVotesNeeded": plan.needed as i32,
        "priorityAtElection": plan.priority,
        "electionTimeoutMillis": plan.timeout.as_millis() as i64,
    };
    if let Some(p) = prior_primary {
        metrics.insert("priorPrimaryMemberId", p);
    }
    metrics.insert("numCatchUpOps", 0i64);
    metrics.insert("newTermStartDate", now);
    metrics.insert("wMajorityWriteAvailabilityDate", now);
    repl.election_candidate_metrics = Some(metrics);
    repl.primary_index = repl.self_index;
    repl.draining = true;
    repl.sync_source = None;
    log::write(
        'I',
        "ELECTION",
        21450,
        "ReplCoord",
        "Election succeeded, assuming primary role",
        doc! {"term": plan.request.term},
    );
    set_state(node, repl, MemberState::Primary);
}

/// `electionParticipantMetrics` recorded by a voter for a real (not dry-run) vote request.
pub fn participant_metrics(
    granted: bool,
    req: &VoteRequest,
    reason: &str,
    my_applied: OpTime,
    max_applied: OpTime,
    priority: f64,
) -> Document {
    let now = DateTime::now();
    doc! {
        "votedForCandidate": granted,
        "electionTerm": req.term,
        "lastVoteDate": now,
        "electionCandidateMemberId": req.candidate_index,
        "voteReason": reason,
        "lastAppliedOpTimeAtElection": my_applied.to_document(),
        "maxAppliedOpTimeInSet": max_applied.to_document(),
        "priorityAtElection": priority,
    }
}
