//! The pure decisions of protocol-version-1 elections: who may stand, how a voter answers,
//! timer lengths, electionId. No I/O here, so every rule has a unit test.

use std::time::Duration;

use bson::{doc, Document};
use rand::Rng;

use crate::data::OpTime;
use crate::node::heartbeat::proto::config_is_newer;

/// `base` plus a random offset in [0, 15 %] of it (ref 10.2).
pub fn randomized_timeout(base: Duration, rng: &mut impl Rng) -> Duration {
    let max_extra = base.as_millis() as u64 * 15 / 100;
    base + Duration::from_millis(rng.gen_range(0..=max_extra))
}

/// Delay before a priority takeover: (rank + 1) × electionTimeout + offset (ref 10.4).
pub fn priority_takeover_delay(
    rank: usize,
    election_timeout: Duration,
    rng: &mut impl Rng,
) -> Duration {
    let base = election_timeout * (rank as u32 + 1);
    let max_extra = election_timeout.as_millis() as u64 * 15 / 100;
    base + Duration::from_millis(rng.gen_range(0..=max_extra))
}

/// Number of members whose priority is strictly higher than `mine` (0 = top priority).
pub fn priority_rank(mine: f64, priorities: impl IntoIterator<Item = f64>) -> usize {
    priorities.into_iter().filter(|p| *p > mine).count()
}

/// Whether a secondary is fresh enough for a priority takeover: within 2 s of the newest optime
/// (`priorityTakeoverFreshnessWindowSeconds`).
pub fn fresh_for_takeover(mine: OpTime, newest: OpTime) -> bool {
    mine >= newest || newest.ts.time.saturating_sub(mine.ts.time) <= 2
}

/// What a member knows about itself when deciding whether it may stand for election.
#[derive(Debug, Clone)]
pub struct CandidateView {
    pub is_secondary: bool,
    pub is_arbiter: bool,
    pub priority: f64,
    /// Still inside a freeze or post-stepdown period ending at this wall-clock time.
    pub unelectable_until: Option<chrono::DateTime<chrono::Utc>>,
    pub sees_majority: bool,
    pub last_applied: OpTime,
}

/// `Ok` when the member may stand, else the server's refusal reason (ref 10.2).
pub fn may_stand(c: &CandidateView, now: chrono::DateTime<chrono::Utc>) -> Result<(), String> {
    if c.is_arbiter {
        return Err("member is an arbiter".into());
    }
    if c.priority <= 0.0 {
        return Err("member has zero priority".into());
    }
    if let Some(until) = c.unelectable_until {
        if until > now {
            return Err(format!(
                "I am still waiting for stepdown period to end at {}",
                until.format("%Y-%m-%dT%H:%M:%S%.3f%:z")
            ));
        }
    }
    if !c.is_secondary {
        return Err("member is not currently a secondary".into());
    }
    if c.last_applied.ts.time == 0 && c.last_applied.ts.increment == 0 {
        return Err("node has no applied oplog entries".into());
    }
    if !c.sees_majority {
        return Err("I cannot see a majority".into());
    }
    Ok(())
}

/// `replSetRequestVotes` as it travels (our own internal format).
#[derive(Debug, Clone, PartialEq)]
pub struct VoteRequest {
    pub set_name: String,
    pub dry_run: bool,
    /// The term the candidate will hold if it wins (current + 1).
    pub term: i64,
    pub candidate_index: i32,
    pub candidate_host: String,
    pub config_version: i64,
    pub config_term: i64,
    pub last_applied: OpTime,
}

impl VoteRequest {
    pub fn to_command(&self) -> Document {
        doc! {
            "replSetRequestVotes": 1,
            "setName": &self.set_name,
            "dryRun": self.dry_run,
            "term": self.term,
            "candidateIndex": self.candidate_index,
            "candidateHost": &self.candidate_host,
            "configVersion": self.config_version,
            "configTerm": self.config_term,
            "lastAppliedOpTime": self.last_applied.to_document(),
            "$db": "admin",
        }
    }

    pub fn from_command(cmd: &Document) -> Result<VoteRequest, String> {
        let int = |k: &str| -> Result<i64, String> {
            match cmd.get(k) {
                Some(bson::Bson::Int32(v)) => Ok(i64::from(*v)),
                Some(bson::Bson::Int64(v)) => Ok(*v),
                Some(bson::Bson::Double(v)) if v.fract() == 0.0 => Ok(*v as i64),
                _ => Err(format!(
                    "replSetRequestVotes: missing or non-integer field '{k}'"
                )),
            }
        };
        let last = cmd
            .get_document("lastAppliedOpTime")
            .ok()
            .and_then(OpTime::from_document)
            .ok_or("replSetRequestVotes: missing or malformed 'lastAppliedOpTime'")?;
        Ok(VoteRequest {
            set_name: cmd
                .get_str("setName")
                .map_err(|_| "replSetRequestVotes: missing 'setName'")?
                .into(),
            dry_run: cmd.get_bool("dryRun").unwrap_or(false),
            term: int("term")?,
            candidate_index: i32::try_from(int("candidateIndex")?)
                .map_err(|_| "replSetRequestVotes: 'candidateIndex' out of range")?,
            candidate_host: cmd.get_str("candidateHost").unwrap_or("").to_string(),
            config_version: int("configVersion")?,
            config_term: int("configTerm")?,
            last_applied: last,
        })
    }
}

/// What a voter knows when answering.
#[derive(Debug, Clone)]
pub struct VoterView {
    pub set_name: String,
    pub term: i64,
    pub config_version: i64,
    pub config_term: i64,
    pub last_applied: OpTime,
    /// (term, candidate index) of the vote already cast, if any.
    pub voted: Option<(i64, i32)>,
    pub is_arbiter: bool,
}

/// `Ok` = vote granted, else the refusal reason the server gives (ref 10.3).
pub fn decide_vote(me: &VoterView, req: &VoteRequest) -> Result<(), String> {
    if req.set_name != me.set_name {
        return Err(format!(
            "candidate's set name ({}) differs from mine ({})",
            req.set_name, me.set_name
        ));
    }
    if req.term < me.term {
        return Err(format!(
            "candidate's term ({}) is lower than mine ({})",
            req.term, me.term
        ));
    }
    let theirs = (req.config_version, req.config_term);
    let mine = (me.config_version, me.config_term);
    if config_is_newer(mine, theirs) {
        return Err(format!(
            "candidate's config with {{version: {}, term: {}}} is older than mine with {{version: {}, term: {}}}",
            req.config_version, req.config_term, me.config_version, me.config_term
        ));
    }
    // Arbiters hold no data, so they never object on freshness.
    if !me.is_arbiter && req.last_applied < me.last_applied {
        return Err(format!(
            "candidate's data is staler than mine. candidate's last applied OpTime: {}, my last applied OpTime: {}",
            optime_text(req.last_applied),
            optime_text(me.last_applied)
        ));
    }
    if !req.dry_run {
        if let Some((term, idx)) = me.voted {
            if term == req.term && idx != req.candidate_index {
                return Err(format!(
                    "already voted for another candidate ({idx}) this term ({term})"
                ));
            }
        }
    }
    Ok(())
}

/// `{ ts: Timestamp(s, i), t: n }` as the server prints optimes in messages.
pub fn optime_text(o: OpTime) -> String {
    format!(
        "{{ ts: Timestamp({}, {}), t: {} }}",
        o.ts.time, o.ts.increment, o.t
    )
}

/// Votes needed: voters / 2 + 1.
pub fn majority(voters: usize) -> usize {
    voters / 2 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::Timestamp;
    use rand::SeedableRng;

    fn ot(time: u32, t: i64) -> OpTime {
        OpTime {
            ts: Timestamp { time, increment: 1 },
            t,
        }
    }

    fn voter() -> VoterView {
        VoterView {
            set_name: "rs0".into(),
            term: 3,
            config_version: 2,
            config_term: 3,
            last_applied: ot(100, 3),
            voted: None,
            is_arbiter: false,
        }
    }

    fn request() -> VoteRequest {
        VoteRequest {
            set_name: "rs0".into(),
            dry_run: false,
            term: 4,
            candidate_index: 1,
            candidate_host: "127.0.0.1:27018".into(),
            config_version: 2,
            config_term: 3,
            last_applied: ot(100, 3),
        }
    }

    #[test]
    fn timeouts_stay_in_their_windows() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let base = Duration::from_millis(1000);
        for _ in 0..200 {
            let t = randomized_timeout(base, &mut rng);
            assert!(t >= base && t <= Duration::from_millis(1150), "{t:?}");
            let p = priority_takeover_delay(1, base, &mut rng);
            assert!(
                p >= Duration::from_millis(2000) && p <= Duration::from_millis(2150),
                "{p:?}"
            );
        }
    }

    #[test]
    fn rank_counts_strictly_higher_priorities() {
        assert_eq!(priority_rank(5.0, [5.0, 1.0, 1.0]), 0);
        assert_eq!(priority_rank(1.0, [5.0, 1.0, 2.0]), 2);
    }

    #[test]
    fn fresh_voter_grants_and_request_round_trips() {
        let r = request();
        assert_eq!(VoteRequest::from_command(&r.to_command()), Ok(r.clone()));
        assert_eq!(decide_vote(&voter(), &r), Ok(()));
    }

    #[test]
    fn voter_refuses_lower_term() {
        let mut r = request();
        r.term = 2;
        let e = decide_vote(&voter(), &r).unwrap_err();
        assert_eq!(e, "candidate's term (2) is lower than mine (3)");
    }

    #[test]
    fn voter_refuses_staler_candidate_unless_arbiter() {
        let mut r = request();
        r.last_applied = ot(90, 3);
        let e = decide_vote(&voter(), &r).unwrap_err();
        assert!(e.starts_with("candidate's data is staler than mine"), "{e}");
        let mut arb = voter();
        arb.is_arbiter = true;
        assert_eq!(decide_vote(&arb, &r), Ok(()));
    }

    #[test]
    fn voter_refuses_second_candidate_in_same_term_but_not_dry_run() {
        let mut v = voter();
        v.voted = Some((4, 2));
        let e = decide_vote(&v, &request()).unwrap_err();
        assert!(e.starts_with("already voted for another candidate"), "{e}");
        let mut dry = request();
        dry.dry_run = true;
        assert_eq!(decide_vote(&v, &dry), Ok(()));
        // The same candidate asking again gets the vote again.
        v.voted = Some((4, 1));
        assert_eq!(decide_vote(&v, &request()), Ok(()));
    }

    #[test]
    fn voter_refuses_other_config_or_set() {
        let mut r = request();
        r.config_version = 1;
        // An older config is refused; a newer one is not (the voter learns it by heartbeat).
        assert!(decide_vote(&voter(), &r)
            .unwrap_err()
            .contains("is older than mine"));
        let mut r = request();
        r.config_version = 3;
        assert_eq!(decide_vote(&voter(), &r), Ok(()));
        let mut r = request();
        r.set_name = "other".into();
        assert!(decide_vote(&voter(), &r).unwrap_err().contains("set name"));
    }

    #[test]
    fn standing_rules() {
        let now = chrono::Utc::now();
        let ok = CandidateView {
            is_secondary: true,
            is_arbiter: false,
            priority: 1.0,
            unelectable_until: None,
            sees_majority: true,
            last_applied: ot(5, 1),
        };
        assert_eq!(may_stand(&ok, now), Ok(()));
        let mut c = ok.clone();
        c.priority = 0.0;
        assert_eq!(may_stand(&c, now).unwrap_err(), "member has zero priority");
        let mut c = ok.clone();
        c.unelectable_until = Some(now + chrono::Duration::seconds(30));
        assert!(may_stand(&c, now)
            .unwrap_err()
            .starts_with("I am still waiting for stepdown"));
        c.unelectable_until = Some(now - chrono::Duration::seconds(1));
        assert_eq!(may_stand(&c, now), Ok(()));
        let mut c = ok.clone();
        c.sees_majority = false;
        assert_eq!(may_stand(&c, now).unwrap_err(), "I cannot see a majority");
        let mut c = ok.clone();
        c.is_secondary = false;
        assert_eq!(
            may_stand(&c, now).unwrap_err(),
            "member is not currently a secondary"
        );
        let mut c = ok;
        c.last_applied = OpTime::null();
        assert_eq!(
            may_stand(&c, now).unwrap_err(),
            "node has no applied oplog entries"
        );
    }

    #[test]
    fn takeover_freshness_window() {
        assert!(fresh_for_takeover(ot(100, 1), ot(102, 1)));
        assert!(!fresh_for_takeover(ot(100, 1), ot(103, 1)));
        assert!(fresh_for_takeover(ot(100, 2), ot(90, 1)));
        assert_eq!(majority(3), 2);
        assert_eq!(majority(4), 3);
    }
}
