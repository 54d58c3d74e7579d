//! `rs.doctor()`: checks over what a running set reports: its status, config, each member's
//! hello, buildInfo and startup warnings, the oplog window, the cluster-wide defaults. Every
//! area gives an `Ok` line when nothing is wrong, so a healthy set prints a full checklist.

use bson::{Bson, Document};

use super::config;
use super::finding::{Finding, Level};
use super::preflight;

/// Replication lag worth a warning.
pub const LAG_WARN_SECS: f64 = 10.0;
/// Clock difference between a member and rsh worth a warning.
pub const SKEW_WARN_SECS: f64 = 30.0;
/// An oplog window shorter than this (once the oplog is full) leaves little time to bring a
/// member back before it needs a full resync.
pub const OPLOG_WARN_HOURS: f64 = 24.0;

/// What one member answered.
#[derive(Debug, Clone, Default)]
pub struct MemberReport {
    pub host: String,
    pub hello: Option<Document>,
    pub version: Option<String>,
    pub startup_warnings: Vec<String>,
    /// Why it could not be asked.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub status: Document,
    pub config: Document,
    /// rsh's clock when the members were asked (ms since the epoch).
    pub now_ms: i64,
    pub members: Vec<MemberReport>,
    pub fcv: Option<String>,
    pub default_rw_concern: Option<Document>,
    /// `(window hours, used MB, size MB)` of the primary's oplog.
    pub oplog: Option<(f64, f64, f64)>,
}

impl Inputs {
    /// From the document `rs.doctor()` gathers in JavaScript (see rs.js).
    pub fn from_document(d: &Document) -> Inputs {
        let members = d
            .get_array("members")
            .map(|a| {
                a.iter()
                    .filter_map(Bson::as_document)
                    .map(|m| MemberReport {
                        host: m.get_str("host").unwrap_or("?").to_string(),
                        hello: m.get_document("hello").ok().cloned(),
                        version: m.get_str("version").ok().map(str::to_string),
                        startup_warnings: m
                            .get_array("startupWarnings")
                            .map(|w| {
                                w.iter()
                                    .filter_map(Bson::as_str)
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default(),
                        error: m.get_str("error").ok().map(str::to_string),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let oplog = d.get_document("oplog").ok().and_then(|o| {
            Some((
                config::num(o.get("windowHours"))?,
                config::num(o.get("usedMB"))?,
                config::num(o.get("sizeMB"))?,
            ))
        });
        Inputs {
            status: d.get_document("status").cloned().unwrap_or_default(),
            config: d.get_document("config").cloned().unwrap_or_default(),
            now_ms: match d.get("now") {
                Some(Bson::DateTime(t)) => t.timestamp_millis(),
                other => config::num(other).unwrap_or(0.0) as i64,
            },
            members,
            fcv: d.get_str("fcv").ok().map(str::to_string),
            default_rw_concern: d.get_document("defaultRWConcern").ok().cloned(),
            oplog,
        }
    }
}

fn state_entries(status: &Document) -> Vec<&Document> {
    status
        .get_array("members")
        .map(|a| a.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default()
}

fn date_ms(v: Option<&Bson>) -> Option<i64> {
    match v? {
        Bson::DateTime(d) => Some(d.timestamp_millis()),
        _ => None,
    }
}

/// Every check, in print order.
pub fn check(inp: &Inputs) -> Vec<Finding> {
    let mut out = Vec::new();
    members(inp, &mut out);
    lag(inp, &mut out);
    oplog(inp, &mut out);
    clocks(inp, &mut out);
    config_smells(inp, &mut out);
    versions(inp, &mut out);
    write_concern(inp, &mut out);
    warnings(inp, &mut out);
    out
}

fn members(inp: &Inputs, out: &mut Vec<Finding>) {
    let entries = state_entries(&inp.status);
    let before = out.len();
    if !entries
        .iter()
        .any(|e| config::num(e.get("state")) == Some(1.0))
    {
        out.push(
            Finding::fail("no member is PRIMARY: the set takes no writes")
                .with_fix("bring back a majority of the voting members (rs.printStatus() shows which are down)"),
        );
    }
    for e in &entries {
        let name = e.get_str("name").unwrap_or("?");
        let state = e.get_str("stateStr").unwrap_or("?");
        if config::num(e.get("health")) != Some(1.0) {
            let why = e.get_str("lastHeartbeatMessage").unwrap_or("");
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(" ({why})")
            };
            out.push(
                Finding::fail(format!("{name} is unreachable{why}")).with_fix(format!(
                    "start it again, or remove it with rs.remove(\"{name}\")"
                )),
            );
            continue;
        }
        match config::num(e.get("state")).unwrap_or(-1.0) as i64 {
            3 => out.push(
                Finding::warn(format!("{name} is RECOVERING: it serves no reads and may need a resync"))
                    .with_fix("look at its log; a member too far behind needs an initial sync (empty its dbpath)"),
            ),
            9 => out.push(
                Finding::warn(format!("{name} is in ROLLBACK: it is undoing writes the majority never had"))
                    .with_fix("wait for it to finish; the undone documents are kept in its rollback directory"),
            ),
            0 | 5 | 6 | 8 | 10 => out.push(Finding::warn(format!("{name} is {state}"))),
            _ => {}
        }
    }
    if out.len() == before {
        out.push(Finding::ok(format!(
            "members: all {} healthy, one primary",
            entries.len()
        )));
    }
}

fn lag(inp: &Inputs, out: &mut Vec<Finding>) {
    let entries = state_entries(&inp.status);
    let Some(primary) = entries
        .iter()
        .find(|e| config::num(e.get("state")) == Some(1.0))
        .and_then(|e| date_ms(e.get("optimeDate")))
    else {
        return;
    };
    let mut worst = 0.0f64;
    let mut lagging = Vec::new();
    for e in entries.iter().filter(|e| {
        config::num(e.get("state")) == Some(2.0) && config::num(e.get("health")) == Some(1.0)
    }) {
        let Some(t) = date_ms(e.get("optimeDate")) else {
            continue;
        };
        let lag = (primary - t).max(0) as f64 / 1000.0;
        worst = worst.max(lag);
        if lag > LAG_WARN_SECS {
            lagging.push(format!("{} {lag}s", e.get_str("name").unwrap_or("?")));
        }
    }
    if lagging.is_empty() {
        out.push(Finding::ok(format!("replication lag: at most {worst}s")));
    } else {
        out.push(
            Finding::warn(format!(
                "replication lag: {} behind the primary",
                lagging.join(", ")
            ))
            .with_fix(
                "check the lagging members' disks and network (rs.printSecondaryReplicationInfo())",
            ),
        );
    }
}

fn oplog(inp: &Inputs, out: &mut Vec<Finding>) {
    let Some((hours, used, size)) = inp.oplog else {
        return;
    };
    // A window is only short when the oplog is full: before that it is as old as the set.
    let full = size > 0.0 && used >= size * 0.9;
    if full && hours < OPLOG_WARN_HOURS {
        out.push(
            Finding::warn(format!(
                "oplog window: {hours:.1} hours (a member down longer needs a full resync)"
            ))
            .with_fix("grow the oplog: db.adminCommand({replSetResizeOplog: 1, size: <MB>}) on each member"),
        );
    } else {
        let note = if full { "" } else { ", oplog not full yet" };
        out.push(Finding::ok(format!("oplog window: {hours:.1} hours{note}")));
    }
}

fn clocks(inp: &Inputs, out: &mut Vec<Finding>) {
    let mut skewed = Vec::new();
    for m in &inp.members {
        let Some(t) = m.hello.as_ref().and_then(|h| date_ms(h.get("localTime"))) else {
            continue;
        };
        let skew = (t - inp.now_ms) as f64 / 1000.0;
        if skew.abs() > SKEW_WARN_SECS {
            skewed.push(format!("{} {skew:+.0}s", m.host));
        }
    }
    if skewed.is_empty() {
        out.push(Finding::ok(format!(
            "clocks: members within {SKEW_WARN_SECS}s of this machine"
        )));
    } else {
        out.push(
            Finding::warn(format!(
                "clock skew against this machine: {}",
                skewed.join(", ")
            ))
            .with_fix("run NTP (chrony or systemd-timesyncd) on every host"),
        );
    }
}

fn config_smells(inp: &Inputs, out: &mut Vec<Finding>) {
    let probes: Vec<super::probe::HostProbe> = inp
        .members
        .iter()
        .map(|m| super::probe::HostProbe {
            host: m.host.clone(),
            resolve_error: None,
            hello: m
                .hello
                .clone()
                .ok_or_else(|| m.error.clone().unwrap_or_default()),
            repl_set: None,
        })
        .collect();
    let plan = preflight::Plan {
        action: preflight::Action::Reconfig,
        current: Some(inp.config.clone()),
        proposed: Some(inp.config.clone()),
        force: false,
        connected: String::new(),
        server_hostname: None,
        set_name: None,
        default_rw_concern: None,
    };
    // The static rules of a change, applied to the config in force; reachability is the
    // members check's business.
    let found: Vec<Finding> = preflight::check(&plan, &probes)
        .into_iter()
        .filter(|f| !f.message.contains("voting members answer"))
        .map(|mut f| {
            f.message = format!("config: {}", f.message);
            f
        })
        .collect();
    if found.is_empty() {
        out.push(Finding::ok(format!(
            "config: version {}, {} members",
            config::version(&inp.config).unwrap_or(0),
            config::members(&inp.config).len()
        )));
    }
    out.extend(found);
}

fn versions(inp: &Inputs, out: &mut Vec<Finding>) {
    let mut seen: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in &inp.members {
        if let Some(v) = &m.version {
            match seen.iter_mut().find(|(x, _)| *x == v) {
                Some((_, hosts)) => hosts.push(&m.host),
                None => seen.push((v, vec![&m.host])),
            }
        }
    }
    let before = out.len();
    if seen.len() > 1 {
        let list: Vec<String> = seen
            .iter()
            .map(|(v, hosts)| format!("{v} on {}", hosts.join(", ")))
            .collect();
        out.push(
            Finding::warn(format!("mixed server versions: {}", list.join("; ")))
                .with_fix("finish the rolling upgrade (secondaries first, then the primary)"),
        );
    }
    if let (Some(fcv), Some((v, _))) = (&inp.fcv, seen.first()) {
        let major_minor: String = v.split('.').take(2).collect::<Vec<_>>().join(".");
        if seen.len() == 1 && *fcv != major_minor {
            out.push(
                Finding::warn(format!(
                    "featureCompatibilityVersion {fcv} on {v} servers: new features stay off and a downgrade is still possible"
                ))
                .with_fix(format!(
                    "once the upgrade is final: db.adminCommand({{setFeatureCompatibilityVersion: \"{major_minor}\", confirm: true}})"
                )),
            );
        }
    }
    if out.len() == before {
        let v = seen.first().map_or("unknown", |(v, _)| v);
        let fcv = inp.fcv.as_deref().unwrap_or("unknown");
        out.push(Finding::ok(format!(
            "versions: {v} everywhere, featureCompatibilityVersion {fcv}"
        )));
    }
}

fn write_concern(inp: &Inputs, out: &mut Vec<Finding>) {
    let ms = config::members(&inp.config);
    let arbiters = ms.iter().filter(|m| m.arbiter).count();
    let w = inp
        .default_rw_concern
        .as_ref()
        .and_then(|d| d.get_document("defaultWriteConcern").ok())
        .and_then(|wc| wc.get("w"))
        .cloned();
    let source = inp
        .default_rw_concern
        .as_ref()
        .and_then(|d| d.get_str("defaultWriteConcernSource").ok())
        .unwrap_or("implicit");
    let majority = match &w {
        Some(Bson::String(s)) => s == "majority",
        None => config::implicit_default_majority(&inp.config),
        _ => false,
    };
    if arbiters > 0 && majority {
        let data = ms.iter().filter(|m| !m.arbiter && m.voter()).count();
        let need = ms.iter().filter(|m| m.voter()).count() / 2 + 1;
        let down = (data + 1).saturating_sub(need).max(1);
        out.push(
            Finding::warn(format!(
                "{arbiters} arbiter(s) with a majority default write concern ({source}): majority writes need {need} of the {data} data members and stall while {down} is down"
            ))
            .with_fix("replace the arbiter with a data member, or db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 1}})"),
        );
    } else {
        let shown = match &w {
            Some(v) => crate::format::tojsononeline(v, crate::format::Style::default()),
            None if majority => "\"majority\"".to_string(),
            None => "1".to_string(),
        };
        out.push(Finding::ok(format!(
            "default write concern: w {shown} ({source})"
        )));
    }
}

fn warnings(inp: &Inputs, out: &mut Vec<Finding>) {
    let mut any = false;
    for m in &inp.members {
        let lines: Vec<&str> = m
            .startup_warnings
            .iter()
            .map(|l| warning_text(l))
            .filter(|l| !l.is_empty())
            .collect();
        if let Some(first) = lines.first() {
            any = true;
            let more = if lines.len() > 1 {
                format!(" (and {} more)", lines.len() - 1)
            } else {
                String::new()
            };
            out.push(
                Finding::warn(format!("{} startup warning: {first}{more}", m.host))
                    .with_fix(format!("read them all: db.getSiblingDB(\"admin\").runCommand({{getLog: \"startupWarnings\"}}) on {}", m.host)),
            );
        }
    }
    if !any {
        out.push(Finding::ok("startup warnings: none"));
    }
}

/// The message of a startup-warning log line (JSON log lines carry it in `msg`/`attr`).
fn warning_text(line: &str) -> &str {
    let t = line.trim();
    if let Some(i) = t.find("\"msg\":\"") {
        let rest = &t[i + 7..];
        return rest.split('"').next().unwrap_or(rest);
    }
    t
}

/// The `{ok, findings}` document `rs.doctor()` returns.
pub fn report(findings: &[Finding]) -> Document {
    let ok = super::finding::verdict(findings) != Level::Fail;
    let list: Vec<Bson> = findings
        .iter()
        .map(|f| Bson::Document(f.to_document()))
        .collect();
    bson::doc! {"ok": ok, "findings": list}
}

#[cfg(test)]
mod tests;
