//! Seed 004 walkthrough: three members started from config files in the seed's format
//! (`dbpath=`, `logpath=`, `port=`, `replSet=`), `rs.initiate(conf)`; `cfg.members[0].priority
//! = 5; rs.reconfig(cfg)` makes member 0 PRIMARY; `rs.reconfig(cfg, {force: true})` on a
//! secondary; `rs.secondaryOk()` then a read on a secondary; `db.serverCmdLineOpts()`.

use std::time::Duration;

use support::{eval, free_ports, wait_member, wait_states, Member, FAST};

#[test]
fn seed_004_config_files_priority_force_and_secondary_reads() {
    let root = tempfile::tempdir().expect("tempdir");
    let ports = free_ports(3);
    let mut members = Vec::new();
    let mut confs = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let dir = root.path().join(format!("db_rs0_{}", i + 1));
        std::fs::create_dir_all(&dir).expect("dir");
        let conf = root.path().join(format!("rs0_{}.conf", i + 1));
        std::fs::write(
            &conf,
            format!(
                "dbpath={d}\nlogpath={d}/rs0_{n}.log\nport={p}\nreplSet=rs0\n",
                d = dir.display(),
                n = i + 1
            ),
        )
        .expect("config file");
        let c = conf.to_string_lossy().to_string();
        members.push(Member::start_with_args(root.path(), *p, &["-f", &c]));
        confs.push(c);
    }
    let hosts: Vec<String> = members.iter().map(Member::host).collect();

    let init = format!(
        "conf = {{\"_id\" : \"rs0\", \"members\" : [ {{ \"_id\" : 0, \"host\" : \"{}\" }}, \
         {{ \"_id\" : 1, \"host\" : \"{}\" }}, {{ \"_id\" : 2, \"host\" : \"{}\" }} ], settings: {FAST}}}; rs.initiate(conf)",
        hosts[0], hosts[1], hosts[2]
    );
    let r = eval(&hosts[0], &init);
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary = wait_states(&hosts[0], 2, Duration::from_secs(60)).expect("a primary");

    // Force member 0 to become primary by priority.
    let r = eval(
        &primary,
        "cfg = rs.conf(); cfg.members[0].priority = 5; cfg.members[1].priority = 1; \
         cfg.members[2].priority = 1; rs.reconfig(cfg)",
    );
    assert!(
        r.stdout.contains("\"ok\" : 1") || r.stdout.contains("reconnected to server"),
        "{}",
        r.all()
    );
    assert!(
        wait_member(&hosts[0], &hosts[0], "PRIMARY", Duration::from_secs(60)),
        "member 0 becomes PRIMARY"
    );
    let r = eval(&hosts[0], "print(defaultPrompt())");
    assert_eq!(r.stdout, "rs0:PRIMARY> \n", "{}", r.all());

    // Data written on the primary, read on a secondary after rs.secondaryOk().
    let r = eval(&hosts[0], "db.users.insert({_id: 1, name: 'a', age: 24})");
    assert_eq!(
        r.stdout,
        "WriteResult({ \"nInserted\" : 1 })\n",
        "{}",
        r.all()
    );
    let r = eval(&hosts[1], "db.users.find({_id: 1})");
    assert!(
        r.all().contains("NotPrimaryNoSecondaryOk"),
        "no read without secondaryOk: {}",
        r.all()
    );
    let r = eval(
        &hosts[1],
        "rs.waitForCaughtUp(0, 30); rs.secondaryOk(); db.users.find({_id: 1})",
    );
    assert_eq!(
        r.stdout,
        "{ \"_id\" : 1, \"name\" : \"a\", \"age\" : 24 }\n",
        "the secondary serves the document: {}",
        r.all()
    );

    // A forced reconfig run on a secondary.
    let r = eval(
        &hosts[2],
        "var conf = rs.conf(); conf.members[1].priority = 2; rs.reconfig(conf, {force: true})",
    );
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let r = eval(&hosts[2], "rs.conf().members[1].priority");
    assert_eq!(r.stdout.trim(), "2", "{}", r.all());

    // The parsed command line of a member started from a config file.
    let r = eval(&hosts[0], "db.serverCmdLineOpts()");
    for needle in [
        "\"argv\" : [".to_string(),
        format!("\"config\" : \"{}\"", confs[0]),
        format!("\"port\" : {}", ports[0]),
        "\"replSet\" : \"rs0\"".to_string(),
        "\"dbPath\" : ".to_string(),
        "\"systemLog\" : {".to_string(),
        "\"ok\" : 1".to_string(),
    ] {
        assert!(r.stdout.contains(&needle), "{needle} in {}", r.stdout);
    }
    members.clear();
}
