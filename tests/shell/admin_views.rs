//! rs.printStatus(), the wait helpers and rs.doctor() against sandbox sets.

use std::time::Duration;

use bson::doc;
use support::{admin, eval, fast_set, wait_for, Member};

fn set_uri(members: &[Member]) -> String {
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    format!("mongodb://{}/?replicaSet=rs0", hosts.join(","))
}

fn secondary(members: &[Member], primary: &str) -> usize {
    members
        .iter()
        .position(|m| m.host() != primary)
        .expect("a secondary")
}

/// Polls `primary`'s view until `host` is reported down.
fn wait_seen_down(primary: &Member, host: &str) {
    let down = wait_for(Duration::from_secs(30), || {
        let s = admin(primary, doc! {"replSetGetStatus": 1})?;
        let members = s.get_array("members").ok()?;
        members
            .iter()
            .filter_map(|m| m.as_document())
            .find(|m| m.get_str("name") == Ok(host) && m.get_f64("health") == Ok(0.0))
            .map(|_| ())
    });
    assert!(down.is_some(), "{host} reported down");
}

#[test]
fn print_status_marks_a_killed_member() {
    let (mut members, primary) = fast_set();
    let victim = secondary(&members, &primary);
    let victim_host = members[victim].host();
    members[victim].kill();
    let p = members
        .iter()
        .find(|m| m.host() == primary)
        .expect("primary");
    wait_seen_down(p, &victim_host);

    let r = eval(&primary, "rs.printStatus()");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("  member"), "{}", r.all());
    assert_eq!(lines.len(), 5, "header, three rows, legend: {}", r.all());
    let dead = lines
        .iter()
        .find(|l| l.contains(&victim_host))
        .expect("row of the killed member");
    assert!(dead.starts_with("! "), "{dead}");
    let cells: Vec<&str> = dead.split_whitespace().collect();
    assert_eq!(cells[1], victim_host, "{dead}");
    assert!(cells.contains(&"DOWN") && cells.contains(&"n/a"), "{dead}");
    let prim = lines
        .iter()
        .find(|l| l.contains(&primary))
        .expect("primary row");
    assert!(prim.contains("PRIMARY") && prim.contains(" up "), "{prim}");
    assert!(prim.contains(" 0s "), "the primary's lag is 0s: {prim}");
    assert_eq!(
        lines[4],
        "! unhealthy   ~ more than 10s behind the primary",
        "{}",
        r.all()
    );

    // --json: an array of rows.
    let r = support::rsh(
        &["--quiet", "--json", &primary, "--eval", "rs.printStatus()"],
        "",
        Duration::from_secs(60),
    );
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).expect("a JSON array");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 3);
    let dead = rows
        .iter()
        .find(|row| row["name"] == victim_host.as_str())
        .expect("killed member's row");
    assert_eq!(dead["health"], 0.0);
    assert!(dead["lagSecs"].is_null());
    assert_eq!(dead["unhealthy"], true);
}

#[test]
fn wait_for_primary_after_initiate_and_after_a_kill() {
    let mut members: Vec<Member> = (0..3)
        .map(|_| Member::sandbox(&["--replSet", "rs0"]))
        .collect();
    let cfg: Vec<String> = members
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{{_id: {i}, host: '{}'}}", m.host()))
        .collect();
    let code = format!(
        "rs.initiate({{_id: 'rs0', members: [{}], settings: {{electionTimeoutMillis: 1000, heartbeatIntervalMillis: 200}}}}); \
         var s = rs.waitForPrimary(60); print('primary ' + s.members.filter(function (m) {{ return m.state === 1; }})[0].name)",
        cfg.join(", ")
    );
    let r = eval(&members[0].host(), &code);
    assert_eq!(r.code, 0, "{}", r.all());
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("primary "))
        .expect("primary line");
    let old = line.trim_start_matches("primary ").to_string();
    assert!(members.iter().any(|m| m.host() == old), "{line}");

    // SIGKILL the primary: the helper waits out the election.
    let idx = members.iter().position(|m| m.host() == old).expect("index");
    members[idx].kill();
    let r = eval(
        &set_uri(&members),
        "var s = rs.waitForPrimary(60); print('primary ' + s.members.filter(function (m) { return m.state === 1 && m.health === 1; })[0].name)",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("primary "))
        .expect("primary line");
    let new = line.trim_start_matches("primary ");
    assert_ne!(new, old, "{}", r.all());
    assert!(members.iter().any(|m| m.host() == new), "{line}");

    // waitForMember: the killed member is seen as down; a timeout names what it saw.
    let r = eval(
        &set_uri(&members),
        &format!("rs.waitForMember('{old}', 'SECONDARY', 2)"),
    );
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("rs.waitForMember: timed out after 2s")
            && r.stderr
                .contains(&format!("{old} is (not reachable/healthy)")),
        "{}",
        r.all()
    );
}

#[test]
fn wait_for_caught_up_names_the_lagging_member() {
    let (members, primary) = fast_set();
    let r = eval(
        &primary,
        "db.c.insertOne({x: 1}); rs.waitForCaughtUp(0, 30).ok",
    );
    assert_eq!(r.stdout.trim().lines().last(), Some("1"), "{}", r.all());

    let stuck = secondary(&members, &primary);
    members[stuck].stop();
    let r = eval(
        &primary,
        "db.c.insertOne({x: 2}, {writeConcern: {w: 1}}); rs.waitForCaughtUp(0, 3)",
    );
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("rs.waitForCaughtUp: timed out after 3s (lagging: "),
        "{}",
        r.all()
    );
    let lagging = r
        .stderr
        .split("(lagging: ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or("");
    assert!(lagging.contains(&members[stuck].host()), "{}", r.all());
    let other = members
        .iter()
        .find(|m| m.host() != primary && m.host() != members[stuck].host())
        .expect("the other secondary");
    assert!(!lagging.contains(&other.host()), "{}", r.all());
}

#[test]
fn doctor_on_a_healthy_set_is_all_ok() {
    let (_members, primary) = fast_set();
    let r = eval(
        &primary,
        "var d = rs.doctor(); print('ok=' + d.ok + ' n=' + d.findings.length)",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let checks: Vec<&str> = r.stdout.lines().filter(|l| !l.starts_with("ok=")).collect();
    assert_eq!(checks.len(), 8, "{}", r.all());
    assert!(checks.iter().all(|l| l.starts_with("OK ")), "{}", r.all());
    assert!(
        r.stdout.contains("OK members: all 3 healthy, one primary"),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("ok=true n=8"), "{}", r.all());
}

#[test]
fn doctor_on_a_sick_set_names_each_finding() {
    // Three data members (one with a startup warning) and an arbiter, a majority default
    // write concern, one secondary in maintenance (RECOVERING), one killed.
    let mut members: Vec<Member> = vec![
        Member::sandbox(&["--replSet", "rs0"]),
        Member::sandbox(&["--replSet", "rs0", "--ipv6"]),
        Member::sandbox(&["--replSet", "rs0"]),
    ];
    let arbiter = Member::sandbox(&["--replSet", "rs0"]);
    let mut cfg = support::config(&members.iter().collect::<Vec<_>>(), Some(&arbiter));
    if let Ok(list) = cfg.get_array_mut("members") {
        if let Some(bson::Bson::Document(d)) = list.get_mut(0) {
            d.insert("priority", 5);
        }
    }
    let r = admin(&members[0], doc! {"replSetInitiate": cfg}).expect("initiate");
    assert!(support::ok(&r), "{r}");
    let primary = members[0].host();
    let r = eval(
        &primary,
        "rs.waitForPrimary(60); rs.waitForMember(db.hello().me, 'PRIMARY', 60).ok",
    );
    assert_eq!(r.stdout.trim().lines().last(), Some("1"), "{}", r.all());
    let r = eval(
        &primary,
        "db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 'majority'}}).ok",
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    let r = admin(&members[1], doc! {"replSetMaintenance": true}).expect("maintenance");
    assert!(support::ok(&r), "{r}");
    let killed = members[2].host();
    members[2].kill();
    wait_seen_down(&members[0], &killed);

    let r = eval(&primary, "var d = rs.doctor(); print('ok=' + d.ok)");
    let out = &r.stdout;
    assert!(
        out.contains(&format!("FAIL {killed} is unreachable")),
        "{}",
        r.all()
    );
    assert!(
        out.contains(&format!("WARN {} is RECOVERING", members[1].host())),
        "{}",
        r.all()
    );
    assert!(out.contains("WARN config: 4 voting members"), "{}", r.all());
    assert!(
        out.contains("WARN 1 arbiter(s) with a majority default write concern (global)"),
        "{}",
        r.all()
    );
    assert!(
        out.contains(&format!("WARN {} startup warning: ", members[1].host())),
        "{}",
        r.all()
    );
    assert!(out.contains("OK versions: "), "{}", r.all());
    assert!(out.contains("ok=false"), "{}", r.all());
    assert_eq!(r.code, 2, "a FAIL fails the script: {}", r.all());
}

#[test]
fn tutorial_typos_get_suggestions() {
    for (code, error, suggestion) in [
        (
            "re.initiate({})",
            "ReferenceError: re is not defined",
            "Did you mean rs.initiate?",
        ),
        (
            "rs.reconf()",
            "TypeError: rs.reconf is not a function",
            "Did you mean rs.reconfig or rs.conf?",
        ),
        (
            "rs.setSalveOk()",
            "TypeError: rs.setSalveOk is not a function",
            "Did you mean rs.secondaryOk? (rs.slaveOk is deprecated)",
        ),
    ] {
        let r = eval("--nodb", code);
        assert!(r.stderr.contains(error), "{code}: {}", r.all());
        let lines: Vec<&str> = r.stderr.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains(error))
            .expect("error line");
        assert!(
            lines[at + 1..].iter().take(3).any(|l| *l == suggestion),
            "{code}: {}",
            r.all()
        );
    }
}

/// On a terminal a change prints its one-line summary before the server's reply, and the
/// preflight warnings share stdout.
#[test]
fn interactive_reconfig_prints_its_summary_first() {
    use rexpect::session::spawn_command;
    let m = support::one_member_primary();
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--quiet", "--norc", &m.host()])
        .env("HOME", home.path())
        .env("TERM", "xterm");
    let mut s = spawn_command(cmd, Some(60_000)).expect("spawn rsh");
    s.exp_string("PRIMARY> ").expect("prompt");
    s.send_line("cfg = rs.conf(); cfg.members[0].priority = 2; rs.reconfig(cfg)")
        .expect("send");
    let before = s.exp_string("\"ok\" : 1").expect("the reply");
    let summary = format!("reconfig: version 1 -> 2: {} priority 1 -> 2", m.host());
    assert!(before.contains(&summary), "{before}");
    s.exp_string("PRIMARY> ").expect("prompt");
    // A second member on a one-member set: the even-voters warning, on the terminal.
    let other = Member::sandbox(&["--replSet", "rs0"]);
    s.send_line(&format!(
        "rs.add('{}', {{dryRun: true}}).preflight",
        other.host()
    ))
    .expect("send");
    let out = s.exp_string("\r\nWARN\r\n").expect("the verdict");
    assert!(
        out.contains("preflight: WARN 2 voting members")
            && out.contains("dry run: nothing was sent; preflight WARN")
            && out.contains(&format!(
                "+ member {{ \"_id\" : 1, \"host\" : \"{}\" }}",
                other.host()
            )),
        "{out}"
    );
    s.send_line("exit").expect("exit");
    s.exp_eof().expect("rsh exits");
}

/// Deprecated helpers name their replacement once per session.
#[test]
fn deprecation_warnings_once_per_session() {
    let code = "db = {getMongo: function () { return {setSecondaryOk: function () {}}; }}; \
                rs.slaveOk(); rs.slaveOk(); rs.slaveOk(); print('done')";
    let r = eval("--nodb", code);
    let warnings = r
        .stdout
        .lines()
        .filter(|l| l.contains("slaveOk() is deprecated") && l.contains("secondaryOk()"))
        .count();
    assert_eq!(warnings, 1, "{}", r.all());
    assert!(r.stdout.contains("done"), "{}", r.all());
}

/// `rs.initiate()` without a config on a member rsh reaches by address: the server would
/// name itself by its host name; the warning gives the config to use.
#[test]
fn initiate_without_a_config_warns_with_the_config_to_use() {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let name = eval("--nodb", "print(hostname())")
        .stdout
        .trim()
        .to_string();
    assert!(!name.is_empty() && name != "127.0.0.1");
    let r = eval(
        &m.host(),
        "rs.initiate(undefined, {dryRun: true}).preflight",
    );
    // Warnings go to stderr in a script.
    assert!(
        r.stderr.contains(&format!(
            "preflight: WARN rs.initiate() without a config names this member \"{name}:{}\"",
            m.port
        )),
        "{}",
        r.all()
    );
    assert!(
        r.stderr.contains(&format!(
            "fix: rs.initiate({{_id: \"rs0\", members: [{{_id: 0, host: \"{}\"}}]}})",
            m.host()
        )),
        "{}",
        r.all()
    );
    assert_eq!(r.stdout.lines().last(), Some("WARN"), "{}", r.all());
    let status = admin(&m, doc! {"replSetGetStatus": 1}).expect("status");
    assert_eq!(
        status.get_i32("code"),
        Ok(94),
        "a dry run initiates nothing: {status}"
    );
}

/// With `--color` on a terminal the member table colours its rows (the primary green).
#[test]
fn print_status_is_coloured_on_a_terminal() {
    use rexpect::session::spawn_command;
    let m = support::one_member_primary();
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--quiet", "--norc", "--color", &m.host()])
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut s = spawn_command(cmd, Some(60_000)).expect("spawn rsh");
    s.exp_string("PRIMARY> ").expect("prompt");
    s.send_line("rs.printStatus()").expect("send");
    let out = s.exp_string("PRIMARY> ").expect("the table");
    let row = out
        .lines()
        .find(|l| l.contains(&m.host()) && l.contains("PRIMARY"))
        .unwrap_or_else(|| panic!("no primary row: {out:?}"));
    assert!(row.contains("\u{1b}[32m"), "green primary row: {row:?}");
    s.send_line("exit").expect("exit");
    s.exp_eof().expect("rsh exits");
}
