//! `rs.printStatus()`: one row per member from `replSetGetStatus` and the config, as text
//! columns (marked and coloured when unhealthy or lagging) or as documents for `--json`.

use bson::{doc, Bson, Document};
use colored::Colorize;

use super::config;

/// A member whose optime is this far behind the primary's is marked as lagging.
pub const LAG_MARK_SECS: f64 = 10.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: i64,
    pub name: String,
    pub state: String,
    pub healthy: bool,
    pub uptime_secs: Option<i64>,
    /// Seconds behind the primary; `None` when down or with no primary.
    pub lag_secs: Option<f64>,
    /// Seconds since the last heartbeat answer (`None` for the member answering the status).
    pub heartbeat_age_secs: Option<f64>,
    pub ping_ms: Option<i64>,
    pub sync_source: String,
    pub priority: Option<f64>,
    pub votes: Option<i64>,
    /// `hidden`, `arbiter`, `delayed 60s`.
    pub flags: Vec<String>,
    pub config_version: Option<i64>,
}

impl Row {
    pub fn lagging(&self) -> bool {
        self.lag_secs.is_some_and(|l| l > LAG_MARK_SECS)
    }

    pub fn to_document(&self) -> Document {
        let opt_f = |v: Option<f64>| v.map_or(Bson::Null, Bson::Double);
        let opt_i = |v: Option<i64>| v.map_or(Bson::Null, Bson::Int64);
        doc! {
            "_id": self.id,
            "name": &self.name,
            "state": &self.state,
            "health": if self.healthy { 1.0 } else { 0.0 },
            "uptimeSecs": opt_i(self.uptime_secs),
            "lagSecs": opt_f(self.lag_secs),
            "lastHeartbeatAgeSecs": opt_f(self.heartbeat_age_secs),
            "pingMs": opt_i(self.ping_ms),
            "syncSource": &self.sync_source,
            "priority": opt_f(self.priority),
            "votes": opt_i(self.votes),
            "flags": self.flags.clone(),
            "configVersion": opt_i(self.config_version),
            "unhealthy": !self.healthy,
            "lagging": self.lagging(),
        }
    }
}

fn millis(v: Option<&Bson>) -> Option<i64> {
    match v? {
        Bson::DateTime(d) => Some(d.timestamp_millis()),
        _ => None,
    }
}

/// The rows of `status` (a replSetGetStatus reply), with priority, votes and flags from
/// `cfg` when given.
pub fn rows(status: &Document, cfg: Option<&Document>) -> Vec<Row> {
    let entries: Vec<&Document> = status
        .get_array("members")
        .map(|a| a.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default();
    let now = millis(status.get("date"));
    let primary_optime = entries
        .iter()
        .find(|e| config::num(e.get("state")) == Some(1.0))
        .and_then(|e| millis(e.get("optimeDate")));
    let cfg_members = cfg.map(config::members).unwrap_or_default();
    entries
        .iter()
        .map(|e| {
            let id = config::num(e.get("_id")).unwrap_or(-1.0) as i64;
            let healthy = config::num(e.get("health")) == Some(1.0);
            let member = cfg_members.iter().find(|m| m.id == id);
            let mut flags = Vec::new();
            if let Some(m) = member {
                if m.arbiter {
                    flags.push("arbiter".to_string());
                }
                if m.hidden {
                    flags.push("hidden".to_string());
                }
                if m.delay_secs > 0 {
                    flags.push(format!("delayed {}s", m.delay_secs));
                }
            }
            let arbiter =
                member.is_some_and(|m| m.arbiter) || config::num(e.get("state")) == Some(7.0);
            let lag_secs = match (
                healthy && !arbiter,
                primary_optime,
                millis(e.get("optimeDate")),
            ) {
                (true, Some(p), Some(m)) => Some(((p - m).max(0)) as f64 / 1000.0),
                _ => None,
            };
            let heartbeat_age_secs = match (
                now,
                millis(e.get("lastHeartbeatRecv").or(e.get("lastHeartbeat"))),
            ) {
                (Some(n), Some(h)) if h > 0 => Some(((n - h).max(0)) as f64 / 1000.0),
                _ => None,
            };
            Row {
                id,
                name: e.get_str("name").unwrap_or("?").to_string(),
                state: e
                    .get_str("stateStr")
                    .map(str::to_string)
                    .unwrap_or_else(|_| format!("{}", config::num(e.get("state")).unwrap_or(-1.0))),
                healthy,
                uptime_secs: config::num(e.get("uptime")).map(|u| u as i64),
                lag_secs,
                heartbeat_age_secs,
                ping_ms: config::num(e.get("pingMs")).map(|p| p as i64),
                sync_source: e.get_str("syncSourceHost").unwrap_or("").to_string(),
                priority: member.map(|m| m.priority),
                votes: member.map(|m| m.votes),
                flags,
                config_version: config::num(e.get("configVersion")).map(|v| v as i64),
            }
        })
        .collect()
}

fn secs(v: Option<f64>) -> String {
    v.map_or("n/a".to_string(), |s| {
        if s.fract() == 0.0 {
            format!("{s}s")
        } else {
            format!("{s:.1}s")
        }
    })
}

fn duration(v: Option<i64>) -> String {
    match v {
        None => "n/a".to_string(),
        Some(s) if s >= 86_400 => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
        Some(s) if s >= 3600 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        Some(s) if s >= 60 => format!("{}m{}s", s / 60, s % 60),
        Some(s) => format!("{s}s"),
    }
}

const HEADER: [&str; 12] = [
    "",
    "member",
    "state",
    "health",
    "uptime",
    "lag",
    "heartbeat",
    "ping",
    "syncSource",
    "pri/votes",
    "flags",
    "cfgVer",
];

/// The table text (header, one line per row, a legend when a row is marked), each line
/// ending in a newline. `color`: unhealthy rows red, lagging rows yellow, the primary green.
pub fn render(rows: &[Row], color: bool) -> String {
    let cells: Vec<[String; 12]> = rows
        .iter()
        .map(|r| {
            let mark = if !r.healthy {
                "!"
            } else if r.lagging() {
                "~"
            } else {
                ""
            };
            [
                mark.to_string(),
                r.name.clone(),
                r.state.clone(),
                if r.healthy { "up" } else { "DOWN" }.to_string(),
                duration(r.uptime_secs),
                secs(r.lag_secs),
                r.heartbeat_age_secs
                    .map_or("-".to_string(), |a| secs(Some(a)) + " ago"),
                r.ping_ms.map_or("-".to_string(), |p| format!("{p}ms")),
                if r.sync_source.is_empty() {
                    "-".to_string()
                } else {
                    r.sync_source.clone()
                },
                match (r.priority, r.votes) {
                    (Some(p), Some(v)) => format!("{p}/{v}"),
                    _ => "?".to_string(),
                },
                if r.flags.is_empty() {
                    "-".to_string()
                } else {
                    r.flags.join(",")
                },
                r.config_version.map_or("?".to_string(), |v| v.to_string()),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in widths.iter_mut().zip(c.iter()) {
            *w = (*w).max(s.chars().count());
        }
    }
    // The mark column only when a row is marked.
    let skip = usize::from(widths[0] == 0);
    let line = |c: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in c.iter().zip(widths.iter()).enumerate().skip(skip) {
            if i + 1 == c.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$} "));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(&HEADER.map(str::to_string));
    out.push('\n');
    for (r, c) in rows.iter().zip(cells.iter()) {
        let text = line(c);
        let text = if !color {
            text
        } else if !r.healthy {
            text.red().bold().to_string()
        } else if r.lagging() {
            text.yellow().to_string()
        } else if r.state == "PRIMARY" {
            text.green().to_string()
        } else {
            text
        };
        out.push_str(&text);
        out.push('\n');
    }
    if rows.iter().any(|r| !r.healthy || r.lagging()) {
        out.push_str(&format!(
            "! unhealthy   ~ more than {LAG_MARK_SECS}s behind the primary\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::DateTime;

    fn date(ms: i64) -> Bson {
        Bson::DateTime(DateTime::from_millis(ms))
    }

    fn status() -> Document {
        doc! {
            "set": "rs0", "date": date(100_000), "myState": 1,
            "members": [
                {"_id": 0, "name": "a:1", "health": 1.0, "state": 1, "stateStr": "PRIMARY", "uptime": 3700,
                 "optimeDate": date(99_000), "syncSourceHost": "", "configVersion": 2, "self": true},
                {"_id": 1, "name": "b:1", "health": 1.0, "state": 2, "stateStr": "SECONDARY", "uptime": 65,
                 "optimeDate": date(79_000), "lastHeartbeat": date(99_500), "pingMs": 0i64, "syncSourceHost": "a:1", "configVersion": 2},
                {"_id": 2, "name": "c:1", "health": 0.0, "state": 8, "stateStr": "(not reachable/healthy)", "uptime": 0,
                 "optimeDate": date(0), "lastHeartbeat": date(0), "pingMs": 0i64, "syncSourceHost": "", "configVersion": -1},
            ]
        }
    }

    fn cfg() -> Document {
        doc! {"_id": "rs0", "version": 2, "members": [
            {"_id": 0, "host": "a:1", "priority": 2},
            {"_id": 1, "host": "b:1", "hidden": true, "priority": 0, "secondaryDelaySecs": 60i64},
            {"_id": 2, "host": "c:1"},
        ]}
    }

    #[test]
    fn rows_from_status_and_config() {
        let r = rows(&status(), Some(&cfg()));
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].lag_secs, Some(0.0));
        assert_eq!(r[0].heartbeat_age_secs, None);
        assert_eq!(r[1].lag_secs, Some(20.0));
        assert!(r[1].lagging());
        assert_eq!(r[1].heartbeat_age_secs, Some(0.5));
        assert_eq!(r[1].flags, vec!["hidden", "delayed 60s"]);
        assert_eq!(r[2].lag_secs, None);
        assert!(!r[2].healthy);
        assert_eq!(r[2].heartbeat_age_secs, None);
        assert_eq!(r[0].to_document().get_f64("priority"), Ok(2.0));
    }

    #[test]
    fn table_text() {
        let text = render(&rows(&status(), Some(&cfg())), false);
        let expected = [
            "  member state                   health uptime lag heartbeat ping syncSource pri/votes flags              cfgVer",
            "  a:1    PRIMARY                 up     1h1m   0s  -         -    -          2/1       -                  2",
            "~ b:1    SECONDARY               up     1m5s   20s 0.5s ago  0ms  a:1        0/1       hidden,delayed 60s 2",
            "! c:1    (not reachable/healthy) DOWN   0s     n/a -         0ms  -          1/1       -                  -1",
            "! unhealthy   ~ more than 10s behind the primary",
            "",
        ]
        .join("\n");
        assert_eq!(text, expected);
    }

    #[test]
    fn no_mark_column_when_all_is_well() {
        let mut s = status();
        if let Ok(list) = s.get_array_mut("members") {
            list.truncate(1);
        }
        let text = render(&rows(&s, None), false);
        assert!(text.starts_with("member state"), "{text}");
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("a:1    PRIMARY")),
            "{text}"
        );
    }

    #[test]
    fn no_primary_means_no_lag() {
        let mut s = status();
        if let Ok(list) = s.get_array_mut("members") {
            if let Some(Bson::Document(d)) = list.get_mut(0) {
                d.insert("state", 2);
            }
        }
        assert!(rows(&s, None).iter().all(|r| r.lag_secs.is_none()));
    }
}
