//! Catch-up takeover: a new primary still in its catch-up phase (it has written nothing in its
//! term) may never reach a member ahead of it. That member, if electable and the freshest the
//! heartbeats show, calls an election after `settings.catchUpTakeoverDelayMillis` (default
//! 30000; −1 never), so the newest writes are kept without waiting for the catch-up timeout.

use std::time::Duration;

use crate::data::OpTime;

/// What the secondary sees of itself and the primary on one timer tick.
#[derive(Debug, Clone)]
pub struct View {
    pub electable: bool,
    pub my_applied: OpTime,
    /// The current term (the primary's, learned from heartbeats).
    pub term: i64,
    /// The primary's last applied optime, as its heartbeat reported it.
    pub primary_applied: OpTime,
    /// The newest optime any other member up reports.
    pub newest_other: OpTime,
}

/// Whether this member should plan a catch-up takeover now.
pub fn wanted(v: &View) -> bool {
    let primary_catching_up = v.primary_applied.t < v.term;
    v.electable
        && primary_catching_up
        && v.my_applied > v.primary_applied
        && v.my_applied >= v.newest_other
}

/// The delay before standing; `None` when the setting disables it (−1).
pub fn delay(setting_ms: i64) -> Option<Duration> {
    u64::try_from(setting_ms).ok().map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::Timestamp;

    fn op(time: u32, t: i64) -> OpTime {
        OpTime {
            ts: Timestamp { time, increment: 1 },
            t,
        }
    }

    fn view() -> View {
        View {
            electable: true,
            my_applied: op(20, 1),
            term: 2,
            primary_applied: op(10, 1),
            newest_other: op(10, 1),
        }
    }

    #[test]
    fn a_fresher_member_takes_over_from_a_primary_catching_up() {
        assert!(wanted(&view()));
    }

    #[test]
    fn no_takeover_once_the_primary_wrote_in_its_term() {
        let v = View {
            primary_applied: op(30, 2),
            ..view()
        };
        assert!(!wanted(&v));
    }

    #[test]
    fn no_takeover_when_not_ahead_not_freshest_or_not_electable() {
        assert!(!wanted(&View {
            my_applied: op(10, 1),
            ..view()
        }));
        assert!(!wanted(&View {
            newest_other: op(25, 1),
            ..view()
        }));
        assert!(!wanted(&View {
            electable: false,
            ..view()
        }));
    }

    #[test]
    fn minus_one_disables() {
        assert_eq!(delay(-1), None);
        assert_eq!(delay(30_000), Some(Duration::from_secs(30)));
    }
}
