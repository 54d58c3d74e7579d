//! Preflight checks of rs.initiate/add/addArb/reconfig against sandbox sets: each check fires
//! on the trap it is for and stays quiet on the sound change next to it; a refused change
//! leaves the config version as it was; `{preflight: false}` is rsh's and never reaches the
//! server.

use std::time::Duration;

use bson::{doc, Bson};
use support::{
    admin, current_config, eval, fast_set, free_port, free_ports, ok, wait_for, wait_primary,
    Member, Run,
};

fn version(m: &Member) -> i64 {
    match current_config(&mut m.connect()).get("version") {
        Some(Bson::Int32(v)) => i64::from(*v),
        Some(Bson::Int64(v)) => *v,
        other => panic!("config version: {other:?}"),
    }
}

fn primary_member<'a>(members: &'a [Member], primary: &str) -> &'a Member {
    members
        .iter()
        .find(|m| m.host() == primary)
        .expect("primary member")
}

fn refused(r: &Run, fail: &str) {
    assert!(
        r.stdout.contains(&format!("preflight: FAIL {fail}")),
        "{}",
        r.all()
    );
    assert!(
        r.stderr.contains("preflight failed: nothing was sent"),
        "{}",
        r.all()
    );
    assert_ne!(r.code, 0, "{}", r.all());
}

#[test]
fn new_hosts_must_answer_resolve_run_the_set_and_be_empty() {
    let (members, primary) = fast_set();
    let p = primary_member(&members, &primary);
    let before = version(p);

    // Nobody listens there.
    let nobody = format!("127.0.0.1:{}", free_port());
    let r = eval(&primary, &format!("rs.add('{nobody}')"));
    refused(&r, &format!("{nobody} does not answer hello"));

    // Started for another set.
    let other = Member::sandbox(&["--replSet", "other"]);
    let r = eval(&primary, &format!("rs.add('{}')", other.host()));
    refused(
        &r,
        &format!("{} was started with --replSet other, not rs0", other.host()),
    );

    // Already the primary of a set of its own (same name).
    let initiated = support::one_member_primary();
    let r = eval(&primary, &format!("rs.addArb('{}')", initiated.host()));
    refused(
        &r,
        &format!(
            "{} already has a replica-set config (set rs0",
            initiated.host()
        ),
    );

    // A name nobody can resolve.
    let r = eval(&primary, "rs.add('no-such-host.invalid:27017')");
    refused(&r, "cannot resolve \"no-such-host.invalid:27017\"");
    assert_eq!(
        version(p),
        before,
        "refused changes leave the config as it was"
    );

    // Not firing: an empty member started with --replSet rs0 joins (4 voters: a warning only,
    // on stderr for a script).
    let fresh = Member::sandbox(&["--replSet", "rs0"]);
    let r = eval(&primary, &format!("rs.add('{}').ok", fresh.host()));
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    assert!(!r.all().contains("preflight: FAIL"), "{}", r.all());
    assert!(
        r.stderr.contains("preflight: WARN 4 voting members"),
        "{}",
        r.all()
    );
    assert_eq!(version(p), before + 1);
}

#[test]
fn initiate_checks_names_and_limits() {
    let ms: Vec<Member> = (0..2)
        .map(|_| Member::sandbox(&["--replSet", "rs0"]))
        .collect();
    let host_name = support::eval("--nodb", "print(hostname())")
        .stdout
        .trim()
        .to_string();
    // A localhost member next to one named by the machine's host name.
    let mixed = format!(
        "rs.initiate({{_id: 'rs0', members: [{{_id: 0, host: '{}'}}, {{_id: 1, host: '{host_name}:{}'}}]}})",
        ms[0].host(),
        ms[1].port
    );
    let r = eval(&ms[0].host(), &mixed);
    refused(&r, "the config mixes localhost (");
    // Eight voters (the hosts need not exist: the limit is refused before anything else).
    let eight: Vec<String> = free_ports(8)
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{{_id: {i}, host: '127.0.0.1:{p}'}}"))
        .collect();
    let r = eval(
        &ms[0].host(),
        &format!(
            "rs.initiate({{_id: 'rs0', members: [{}]}})",
            eight.join(", ")
        ),
    );
    refused(&r, "8 voting members: at most 7 members may vote");
    // One process under two names.
    let twice = format!(
        "rs.initiate({{_id: 'rs0', members: [{{_id: 0, host: '{}'}}, {{_id: 1, host: 'localhost:{}'}}, {{_id: 2, host: '{}'}}]}})",
        ms[0].host(),
        ms[0].port,
        ms[1].host()
    );
    let r = eval(&ms[0].host(), &twice);
    refused(
        &r,
        &format!(
            "localhost:{} and {} are the same server process",
            ms[0].port,
            ms[0].host()
        ),
    );
    let status = admin(&ms[0], doc! {"replSetGetStatus": 1}).expect("status");
    assert_eq!(
        status.get_i32("code"),
        Ok(94),
        "still not initiated: {status}"
    );

    // Not firing: both members by 127.0.0.1.
    let good = format!(
        "rs.initiate({{_id: 'rs0', members: [{{_id: 0, host: '{}'}}, {{_id: 1, host: '{}'}}], settings: {{electionTimeoutMillis: 1000, heartbeatIntervalMillis: 200}}}}).ok",
        ms[0].host(),
        ms[1].host()
    );
    let r = eval(&ms[0].host(), &good);
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    assert!(!r.all().contains("preflight: FAIL"), "{}", r.all());
    // An already-initiated member is refused as a member of a new set.
    let third = Member::sandbox(&["--replSet", "rs0"]);
    let again = format!(
        "rs.initiate({{_id: 'rs0', members: [{{_id: 0, host: '{}'}}, {{_id: 1, host: '{}'}}]}})",
        third.host(),
        ms[0].host()
    );
    let r = eval(&third.host(), &again);
    refused(&r, &format!("{} is already initiated", ms[0].host()));
}

#[test]
fn reconfig_keeps_a_majority_and_a_possible_primary() {
    let (mut members, primary) = fast_set();
    let before = version(primary_member(&members, &primary));
    // All priorities 0: no member could become primary.
    let r = eval(
        &primary,
        "cfg = rs.conf(); cfg.members.forEach(function (m) { m.priority = 0; }); rs.reconfig(cfg)",
    );
    refused(&r, "every voting data member has priority 0");

    // Kill one secondary, then take the vote of the other: 1 of 2 voters would answer.
    let dead = members
        .iter()
        .position(|m| m.host() != primary)
        .expect("a secondary");
    let dead_host = members[dead].host();
    members[dead].kill();
    let live = members
        .iter()
        .find(|m| m.host() != primary && m.host() != dead_host)
        .expect("live secondary")
        .host();
    let demote = format!(
        "cfg = rs.conf(); cfg.members.forEach(function (m) {{ if (m.host === '{live}') {{ m.votes = 0; m.priority = 0; }} }}); rs.reconfig(cfg)"
    );
    let r = eval(&primary, &demote);
    refused(
        &r,
        &format!("only 1 of 2 voting members answer ({dead_host} do not)"),
    );
    let p = primary_member(&members, &primary);
    assert_eq!(
        version(p),
        before,
        "refused changes leave the config as it was"
    );

    // Not firing: a priority change with the majority up goes through.
    let r = eval(
        &primary,
        &format!("cfg = rs.conf(); cfg.members.forEach(function (m) {{ if (m.host === '{primary}') {{ m.priority = 2; }} }}); rs.reconfig(cfg).ok"),
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    assert!(!r.all().contains("preflight: FAIL"), "{}", r.all());
    assert_eq!(version(p), before + 1);
}

#[test]
fn arbiter_on_a_two_member_set_gets_the_write_concern_advice() {
    let ms: Vec<Member> = (0..2)
        .map(|_| Member::sandbox(&["--replSet", "rs0"]))
        .collect();
    let arbiter = Member::sandbox(&["--replSet", "rs0"]);
    let refs: Vec<&Member> = ms.iter().collect();
    let r = admin(
        &ms[0],
        doc! {"replSetInitiate": support::config(&refs, None)},
    )
    .expect("reply");
    assert!(ok(&r), "{r}");
    let (pi, _) = wait_primary(&refs, Duration::from_secs(30)).expect("a primary");
    let primary = ms[pi].host();
    let before = version(&ms[pi]);

    let r = eval(&primary, &format!("rs.addArb('{}')", arbiter.host()));
    refused(
        &r,
        "this changes the implicit default write concern from {w: \"majority\"} to {w: 1}, which 5.0+ servers refuse (code 103)",
    );
    assert!(
        r.stdout
            .contains("In a primary-secondary-arbiter set the arbiter holds no data"),
        "{}",
        r.all()
    );
    assert!(
        r.stdout.contains("fix: db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 1}}), then run this again"),
        "{}",
        r.all()
    );
    assert_eq!(version(&ms[pi]), before);

    // Without the preflight the server itself refuses (the option is not sent).
    let r = eval(
        &primary,
        &format!(
            "printjson(rs.addArb('{}', {{preflight: false}}))",
            arbiter.host()
        ),
    );
    assert!(r.stdout.contains("\"code\" : 103"), "{}", r.all());
    assert!(!r.all().contains("preflight:"), "{}", r.all());

    // The advice works.
    let r = eval(
        &primary,
        "db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 1}}).ok",
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    let r = eval(&primary, &format!("rs.addArb('{}').ok", arbiter.host()));
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    assert!(!r.all().contains("preflight: FAIL"), "{}", r.all());
    assert_eq!(version(&ms[pi]), before + 1);
}

#[test]
fn force_while_a_primary_is_up_warns() {
    let (members, primary) = fast_set();
    let p = primary_member(&members, &primary);
    let before = version(p);
    let r = eval(&primary, "rs.reconfig(rs.conf(), {force: true}).ok");
    assert!(
        r.stderr.contains(&format!(
            "preflight: WARN force reconfig while a primary ({primary}) is reachable"
        )),
        "{}",
        r.all()
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    let after = wait_for(Duration::from_secs(10), || {
        let v = version(p);
        (v > before).then_some(v)
    });
    assert!(after.is_some(), "the forced config is installed");
    // Not firing: a normal reconfig, through whichever member is primary now.
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    let uri = format!("mongodb://{}/?replicaSet=rs0", hosts.join(","));
    let r = eval(&uri, "rs.waitForPrimary(30); rs.reconfig(rs.conf()).ok");
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    assert!(!r.all().contains("force reconfig"), "{}", r.all());
}

#[test]
fn commands_are_checked_too_and_dry_runs_send_nothing() {
    let (members, primary) = fast_set();
    let p = primary_member(&members, &primary);
    let before = version(p);
    let reconfigs = || {
        let r = p.connect().run(
            "local",
            doc! {"count": "oplog.rs", "query": {"o.msg": "Reconfig set"}},
        );
        r.get_i32("n").map(i64::from).unwrap_or(-1)
    };
    let oplog_before = reconfigs();

    // adminCommand({replSetReconfig}) with all priorities 0 is refused like rs.reconfig.
    let r = eval(
        &primary,
        "cfg = rs.conf(); cfg.version++; cfg.members.forEach(function (m) { m.priority = 0; }); db.adminCommand({replSetReconfig: cfg})",
    );
    refused(&r, "every voting data member has priority 0");

    // Dry runs print the verdict and the diff, and send nothing.
    let nobody = format!("127.0.0.1:{}", free_port());
    let r = eval(
        &primary,
        &format!(
            "var res = rs.add('{nobody}', {{dryRun: true}}); print('verdict ' + res.preflight)"
        ),
    );
    assert!(
        r.stdout
            .contains("dry run: nothing was sent; preflight FAIL"),
        "{}",
        r.all()
    );
    assert!(
        r.stdout.contains(&format!(
            "+ member {{ \"_id\" : 3, \"host\" : \"{nobody}\" }}"
        )),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("verdict FAIL"), "{}", r.all());
    let r = eval(
        &primary,
        "cfg = rs.conf(); cfg.members[1].priority = 3; cfg.settings.electionTimeoutMillis = 1500; rs.reconfig(cfg, {dryRun: true}).changes.join('|')",
    );
    let host1 = current_config(&mut p.connect())
        .get_array("members")
        .ok()
        .and_then(|a| a.get(1))
        .and_then(Bson::as_document)
        .and_then(|d| d.get_str("host").ok())
        .unwrap_or("")
        .to_string();
    assert!(
        r.stdout.contains(&format!(
            "  version: {before} -> {}|~ member 1 ({host1}): priority: 1 -> 3|~ settings.electionTimeoutMillis: 1000 -> 1500",
            before + 1
        )),
        "{}",
        r.all()
    );
    let r = eval(
        &primary,
        &format!("rs.remove('{host1}', {{dryRun: true}}).changes.join('|')"),
    );
    assert!(
        r.stdout
            .contains(&format!("- member {{ \"_id\" : 1, \"host\" : \"{host1}\"")),
        "{}",
        r.all()
    );
    // An option the helper would not send is refused, not ignored.
    let r = eval(&primary, &format!("rs.remove('{host1}', {{force: true}})"));
    assert!(
        r.stderr.contains(
            "rs.remove: unknown option force (it takes {dryRun: true} and {preflight: false})"
        ),
        "{}",
        r.all()
    );
    let r = eval(
        &primary,
        "db.adminCommand({replSetReconfig: rs.conf(), dryRun: true}).dryRun",
    );
    assert_eq!(r.stdout.trim().lines().last(), Some("true"), "{}", r.all());
    assert_eq!(version(p), before, "dry runs leave the config as it was");
    assert_eq!(reconfigs(), oplog_before, "dry runs write nothing");
    // The same change for real is seen by both measures.
    let r = eval(&primary, "rs.reconfig(rs.conf()).ok");
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    assert_eq!(version(p), before + 1);
    assert_eq!(reconfigs(), oplog_before + 1);
}
