//! Running rsh as a child process (time limit, stdin fed in, output captured) and asking a
//! set for its state through it.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The result of one rsh run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Run `rsh args…` with `stdin` fed in; killed after `limit`.
pub fn rsh(args: &[&str], stdin: &str, limit: Duration) -> Run {
    let mut child = Command::new(crate::rsh_binary())
        .args(args)
        .env("HOME", std::env::temp_dir())
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rsh");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes());
    }
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let killer = std::thread::spawn(move || {
        if rx.recv_timeout(limit).is_err() {
            // Still running after the limit: end it so the test fails instead of hanging.
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });
    let out: Output = child.wait_with_output().expect("wait rsh");
    let _ = tx.send(());
    let _ = killer.join();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `rsh --quiet <host> --eval <code>`.
pub fn eval(host: &str, code: &str) -> Run {
    rsh(
        &["--quiet", host, "--eval", code],
        "",
        Duration::from_secs(60),
    )
}

/// The host currently PRIMARY according to `rs.status()` on `via`, if any.
pub fn primary_of(via: &str) -> Option<String> {
    let r = eval(
        via,
        "var s = rs.status(); var p = (s.members || []).filter(function (m) { return m.state === 1; }); print(p.length ? p[0].name : '')",
    );
    let line = r.stdout.lines().last().unwrap_or("").trim().to_string();
    if line.contains(':') {
        Some(line)
    } else {
        None
    }
}

/// Config settings that make elections quick in tests (the seeds' commands are unchanged
/// otherwise; real sets use the 10 s default).
pub const FAST: &str = "{electionTimeoutMillis: 2000, heartbeatIntervalMillis: 500}";

/// `{_id: set, members: [{_id: ids[i], host: hosts[i]}…], settings: FAST}` as JS text.
pub fn config_js(set: &str, ids: &[u32], hosts: &[String]) -> String {
    let members: Vec<String> = ids
        .iter()
        .zip(hosts)
        .map(|(id, h)| format!("{{_id: {id}, host: '{h}'}}"))
        .collect();
    format!(
        "{{_id: '{set}', members: [{}], settings: {FAST}}}",
        members.join(", ")
    )
}

/// Wait until `via` reports a primary and `n_secondaries` secondaries; returns the primary.
/// One rsh run: rs.waitForPrimary, then rs.waitForMember for every data member, until the
/// count holds or `limit` passes.
pub fn wait_states(via: &str, n_secondaries: usize, limit: Duration) -> Option<String> {
    let secs = limit.as_secs().max(1);
    let code = format!(
        "var deadline = Date.now() + {secs} * 1000, left = function () {{ return Math.max(1, (deadline - Date.now()) / 1000); }}; \
         var found = ''; \
         while (!found && Date.now() < deadline) {{ \
           try {{ \
             var s = rs.waitForPrimary(left()); \
             var p = s.members.filter(function (m) {{ return m.state === 1 && m.health === 1; }})[0].name; \
             var arb = {{}}; rs.conf().members.forEach(function (m) {{ if (m.arbiterOnly) arb[m.host] = true; }}); \
             s.members.forEach(function (m) {{ if (m.name !== p && !arb[m.name]) rs.waitForMember(m.name, 'SECONDARY', left()); }}); \
             var n = rs.status().members.filter(function (m) {{ return m.state === 2; }}).length; \
             if (n === {n_secondaries}) found = p; \
           }} catch (e) {{ sleep(100); }} \
         }} \
         print('primary=' + found)"
    );
    let r = rsh(
        &["--quiet", via, "--eval", &code],
        "",
        limit + Duration::from_secs(30),
    );
    let found = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("primary="))?
        .trim()
        .to_string();
    (!found.is_empty()).then_some(found)
}

/// `rs.waitForMember(host, state, limit)` run through `via`: whether `host` reached `state`.
pub fn wait_member(via: &str, host: &str, state: &str, limit: Duration) -> bool {
    let code = format!(
        "rs.waitForMember('{host}', '{state}', {}); print('reached')",
        limit.as_secs().max(1)
    );
    let r = rsh(
        &["--quiet", via, "--eval", &code],
        "",
        limit + Duration::from_secs(30),
    );
    r.stdout.lines().any(|l| l == "reached")
}

/// `rs.waitForPrimary(limit)` run through `via`: the primary's name.
pub fn wait_primary_via(via: &str, limit: Duration) -> Option<String> {
    let code = format!(
        "var s = rs.waitForPrimary({}); print('primary=' + s.members.filter(function (m) {{ return m.state === 1 && m.health === 1; }})[0].name)",
        limit.as_secs().max(1)
    );
    let r = rsh(
        &["--quiet", via, "--eval", &code],
        "",
        limit + Duration::from_secs(30),
    );
    r.stdout
        .lines()
        .find_map(|l| l.strip_prefix("primary="))
        .map(str::to_string)
}

/// `n` members started in `root` with `--replSet rs0`, and their hosts.
pub fn start_members(root: &std::path::Path, n: usize) -> (Vec<crate::Member>, Vec<String>) {
    let members: Vec<crate::Member> = crate::free_ports(n)
        .iter()
        .map(|p| crate::Member::start(root, *p, &["--replSet", "rs0"]))
        .collect();
    let hosts = members.iter().map(crate::Member::host).collect();
    (members, hosts)
}

/// Three members initiated as `rs0` through rsh's `rs.initiate()`: the members, their hosts and
/// the primary's host once it and two secondaries show (within `limit`).
pub fn rsh_initiated_three(
    root: &std::path::Path,
    limit: Duration,
) -> (Vec<crate::Member>, Vec<String>, String) {
    let (members, hosts) = start_members(root, 3);
    let r = eval(
        &hosts[0],
        &format!("rs.initiate({})", config_js("rs0", &[0, 1, 2], &hosts)),
    );
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary = wait_states(&hosts[0], 2, limit).expect("a primary");
    (members, hosts, primary)
}
