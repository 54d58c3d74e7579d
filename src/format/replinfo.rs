//! Text of `db.printReplicationInfo()` and `db.printSecondaryReplicationInfo()` (legacy shell),
//! from values the shell has already fetched. Dates print as JS `Date.toString()` local time.

use bson::{doc, Document};
use std::fmt::Write as _;

use super::date::js_date_to_string;
use super::number::{js_number, js_round};

/// Inputs of `printReplicationInfo`, as `getReplicationInfo` derives them.
#[derive(Clone, Debug, PartialEq)]
pub struct OplogWindow {
    /// collStats `maxSize` of `local.oplog.rs`, in bytes.
    pub max_size_bytes: f64,
    /// collStats `size` of `local.oplog.rs`, in bytes.
    pub used_bytes: f64,
    /// Time of the first oplog entry, seconds (see [`oplog_entry_secs`]).
    pub first_secs: f64,
    /// Time of the last oplog entry, seconds.
    pub last_secs: f64,
    /// The current time, milliseconds since the epoch.
    pub now_ms: i64,
}

/// Seconds of an oplog entry's `ts`, as the legacy `getReplicationInfo` computes them: the
/// Timestamp's seconds when both parts are non-zero, otherwise the 64-bit value / 2^32.
pub fn oplog_entry_secs(time: u32, increment: u32) -> f64 {
    if time != 0 && increment != 0 {
        f64::from(time)
    } else {
        ((u64::from(time) << 32) | u64::from(increment)) as f64 / 4_294_967_296.0
    }
}

impl OplogWindow {
    fn log_size_mb(&self) -> f64 {
        self.max_size_bytes / (1024.0 * 1024.0)
    }

    fn time_diff(&self) -> f64 {
        self.last_secs - self.first_secs
    }

    fn time_diff_hours(&self) -> f64 {
        js_round(self.time_diff() / 36.0) / 100.0
    }

    /// The result of `db.getReplicationInfo()`: `logSizeMB`, `usedMB` (rounded up to 2
    /// decimals), `timeDiff`, `timeDiffHours`, `tFirst`, `tLast`, `now` (dates as local text).
    pub fn info_document(&self) -> Document {
        let used_mb = (self.used_bytes / (1024.0 * 1024.0) * 100.0).ceil() / 100.0;
        doc! {
            "logSizeMB": self.log_size_mb(),
            "usedMB": used_mb,
            "timeDiff": self.time_diff(),
            "timeDiffHours": self.time_diff_hours(),
            "tFirst": date_text_secs(self.first_secs),
            "tLast": date_text_secs(self.last_secs),
            "now": js_date_to_string(self.now_ms),
        }
    }
}

fn date_text_secs(secs: f64) -> String {
    let ms = secs * 1000.0;
    if ms.is_finite() && ms.abs() <= super::JS_DATE_MAX_MS as f64 {
        js_date_to_string(ms.trunc() as i64)
    } else {
        "Invalid Date".to_string()
    }
}

/// The five lines of `printReplicationInfo` (each ending with a newline):
/// ```text
/// configured oplog size:   990MB
/// log length start to end: 3600secs (1hrs)
/// oplog first event time:  Mon Jan 05 2026 10:00:00 GMT+0000 (UTC)
/// oplog last event time:   Mon Jan 05 2026 11:00:00 GMT+0000 (UTC)
/// now:                     Mon Jan 05 2026 11:00:05 GMT+0000 (UTC)
/// ```
pub fn replication_info_text(w: &OplogWindow) -> String {
    let mut s = String::with_capacity(300);
    let _ = writeln!(
        s,
        "configured oplog size:   {}MB",
        js_number(w.log_size_mb())
    );
    let _ = writeln!(
        s,
        "log length start to end: {}secs ({}hrs)",
        js_number(w.time_diff()),
        js_number(w.time_diff_hours())
    );
    let _ = writeln!(
        s,
        "oplog first event time:  {}",
        date_text_secs(w.first_secs)
    );
    let _ = writeln!(
        s,
        "oplog last event time:   {}",
        date_text_secs(w.last_secs)
    );
    let _ = writeln!(
        s,
        "now:                     {}",
        js_date_to_string(w.now_ms)
    );
    s
}

/// One member of the `replSetGetStatus` reply, as `printSecondaryReplicationInfo` reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberSync {
    pub name: String,
    pub state: i32,
    pub state_str: String,
    pub is_self: bool,
    /// True when the member document has an `optime` field.
    pub has_optime: bool,
    /// `optimeDate` in milliseconds, when present.
    pub optime_date_ms: Option<i64>,
}

/// The reply's `initialSyncStatus`, used for a member that is `self` and in STARTUP2.
#[derive(Clone, Debug, PartialEq)]
pub struct InitialSync {
    pub sync_source_host: String,
    pub remaining_estimated_ms: f64,
}

/// Legacy `new Date(0, 0)` (1900-01-01, taken as UTC): the start value when looking for the
/// freshest member without a primary.
const DATE_1900_MS: i64 = -2_208_988_800_000;

/// The text of `printSecondaryReplicationInfo` (lines end with newlines; lag lines keep the
/// legacy trailing space after `primary`). `Err` carries the legacy assertion message when the
/// primary has no `optimeDate`.
pub fn secondary_replication_info_text(
    members: &[MemberSync],
    initial_sync: Option<&InitialSync>,
) -> Result<String, String> {
    let primary = members.iter().find(|m| m.state == 1);
    let reference: Option<i64> = match primary {
        Some(p) => p.optime_date_ms,
        None => Some(
            members
                .iter()
                .filter_map(|m| m.optime_date_ms)
                .fold(DATE_1900_MS, i64::max),
        ),
    };
    let mut s = String::new();
    for m in members {
        if m.is_self && m.state == 5 {
            let _ = writeln!(s, "source: {}", m.name);
            match initial_sync {
                None => s.push_str("InitialSyncStatus information not found\n"),
                Some(i) => {
                    let total = i.remaining_estimated_ms;
                    let hours = (total / 3_600_000.0).floor();
                    let minutes = ((total % 3_600_000.0) / 60_000.0).floor();
                    let _ = writeln!(s, "\tInitialSyncSyncSource: {}", i.sync_source_host);
                    let _ = writeln!(
                        s,
                        "\tInitialSyncRemainingEstimatedDuration: {} hour(s) {} minute(s)",
                        js_number(hours),
                        js_number(minutes)
                    );
                }
            }
            continue;
        }
        if m.state == 1 || m.state == 7 {
            continue; // primaries and arbiters are not listed
        }
        let _ = writeln!(s, "source: {}", m.name);
        if !m.has_optime {
            let _ = writeln!(s, "\tno replication info, yet.  State: {}", m.state_str);
            continue;
        }
        let Some(start) = reference else {
            return Err(
                "assert failed : how could this be null (getReplLag startOptimeDate)".to_string(),
            );
        };
        let synced = m.optime_date_ms.unwrap_or(0);
        let _ = writeln!(s, "\tsyncedTo: {}", js_date_to_string(synced));
        let ago = (start as f64 - synced as f64) / 1000.0;
        let hrs = js_round(ago / 36.0) / 100.0;
        let suffix = if primary.is_some() {
            "primary "
        } else {
            "freshest member (no primary available at the moment)"
        };
        let _ = writeln!(
            s,
            "\t{} secs ({} hrs) behind the {}",
            js_number(js_round(ago)),
            js_number(hrs),
            suffix
        );
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_document_fields() {
        let w = OplogWindow {
            max_size_bytes: 51.2 * 1_048_576.0,
            used_bytes: 1_234_567.0,
            first_secs: 100.0,
            last_secs: 5500.0,
            now_ms: 6_000_000,
        };
        let d = w.info_document();
        assert_eq!(d.get_f64("logSizeMB").ok(), Some(51.2));
        assert_eq!(d.get_f64("usedMB").ok(), Some(1.18));
        assert_eq!(d.get_f64("timeDiff").ok(), Some(5400.0));
        assert_eq!(d.get_f64("timeDiffHours").ok(), Some(1.5));
        let keys: Vec<&str> = d.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "logSizeMB",
                "usedMB",
                "timeDiff",
                "timeDiffHours",
                "tFirst",
                "tLast",
                "now"
            ]
        );
    }

    #[test]
    fn oplog_seconds() {
        assert_eq!(oplog_entry_secs(1_700_000_000, 3), 1_700_000_000.0);
        assert_eq!(oplog_entry_secs(0, 0), 0.0);
        assert_eq!(oplog_entry_secs(1, 0), 1.0);
    }

    #[test]
    fn no_primary_and_missing_optime() {
        let m = |name: &str, state: i32, has: bool, at: Option<i64>| MemberSync {
            name: name.into(),
            state,
            state_str: "STARTUP".into(),
            is_self: false,
            has_optime: has,
            optime_date_ms: at,
        };
        let text = secondary_replication_info_text(
            &[
                m("a:1", 2, true, Some(10_000)),
                m("b:2", 0, false, None),
                m("c:3", 7, true, None),
            ],
            None,
        );
        let text = text.unwrap_or_else(|e| e);
        assert!(text.contains("source: a:1\n\tsyncedTo: "));
        assert!(text.contains(
            "\t0 secs (0 hrs) behind the freshest member (no primary available at the moment)\n"
        ));
        assert!(text.ends_with("source: b:2\n\tno replication info, yet.  State: STARTUP\n"));
        assert!(!text.contains("c:3"));
        let startup2 = MemberSync {
            is_self: true,
            state: 5,
            ..m("d:4", 5, false, None)
        };
        let sync = InitialSync {
            sync_source_host: "a:1".into(),
            remaining_estimated_ms: 3_725_000.0,
        };
        let text = secondary_replication_info_text(std::slice::from_ref(&startup2), Some(&sync));
        assert_eq!(
            text.unwrap_or_else(|e| e),
            "source: d:4\n\tInitialSyncSyncSource: a:1\n\tInitialSyncRemainingEstimatedDuration: 1 hour(s) 2 minute(s)\n"
        );
        let text = secondary_replication_info_text(&[startup2], None);
        assert_eq!(
            text.unwrap_or_else(|e| e),
            "source: d:4\nInitialSyncStatus information not found\n"
        );
    }
}
