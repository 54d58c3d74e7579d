//! Seed 002 walkthrough ("shopex"): members started from config files in the seed's format,
//! `db.runCommand({replSetInitiate: …})` on admin with member `_id`s 1 and 2, then an arbiter;
//! `rs.status()` in the seed's layout; kill the primary; on the survivor `rs.status()` shows
//! `(not reachable/healthy)` and itself PRIMARY, and the prompt goes from
//! `shopex:SECONDARY> ` to `shopex:PRIMARY> `.

use std::time::Duration;

use support::session::Session;
use support::{eval, free_ports, wait_member, wait_states, Member, FAST};

/// Top-level keys of a printed document (lines starting with one tab), in order.
fn keys_at(text: &str, indent: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix(indent))
        .filter(|l| l.starts_with('"'))
        .filter_map(|l| l.split('"').nth(1).map(str::to_string))
        .collect()
}

/// The seed's order: initiate two members, then add the arbiter (5.0+ servers need
/// setDefaultRWConcern first).
#[test]
fn seed_002_shopex_arbiter_added_later() {
    shopex(false);
}

/// Same walkthrough with the arbiter (`_id` 3) in the replSetInitiate config.
#[test]
fn seed_002_shopex_arbiter_in_first_config() {
    shopex(true);
}

fn shopex(arbiter_first: bool) {
    let root = tempfile::tempdir().expect("tempdir");
    let ports = free_ports(3);
    let mut members = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let other = ports[(i + 1) % 2];
        let dir = root.path().join(p.to_string());
        std::fs::create_dir_all(&dir).expect("dir");
        let conf = root.path().join(format!("m{i}.conf"));
        std::fs::write(
            &conf,
            format!(
                "port={p}\ndbpath={}\nreplSet=shopex/127.0.0.1:{other}\n",
                dir.display()
            ),
        )
        .expect("config file");
        let c = conf.to_string_lossy().to_string();
        members.push(Member::start_with_args(root.path(), *p, &["-f", &c]));
    }
    let hosts: Vec<String> = members.iter().map(Member::host).collect();

    let arb = if arbiter_first {
        format!(
            ", {{\"_id\":3,\"host\":\"{}\",\"arbiterOnly\":true}}",
            hosts[2]
        )
    } else {
        String::new()
    };
    let init = format!(
        "db.runCommand({{\"replSetInitiate\":{{ \"_id\":\"shopex\", \"members\":[ {{\"_id\":1,\"host\":\"{}\"}}, {{\"_id\":2,\"host\":\"{}\"}}{arb} ], settings: {FAST}}}}})",
        hosts[0], hosts[1]
    );
    let r = eval(&format!("{}/admin", hosts[0]), &init);
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary = wait_states(&hosts[0], 1, Duration::from_secs(60)).expect("a primary");
    if !arbiter_first {
        // 5.0+ servers refuse an arbiter that would change the implicit default write
        // concern; an administrator sets the cluster-wide default first.
        let r = eval(
            &primary,
            "db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 1}}).ok",
        );
        assert_eq!(r.stdout.trim(), "1", "{}", r.all());
        let r = eval(&primary, &format!("rs.addArb('{}')", hosts[2]));
        assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    }
    assert!(
        wait_member(&primary, &hosts[2], "ARBITER", Duration::from_secs(30)),
        "arbiter joined"
    );

    // rs.status() in the seed's layout.
    let status = eval(&primary, "rs.status()").stdout;
    let top = keys_at(&status, "\t");
    assert_eq!(&top[..3], &["set", "date", "myState"], "{status}");
    // "ok" follows the members (newer servers append $clusterTime and operationTime).
    let pos = |k: &str| top.iter().position(|t| t == k);
    assert!(
        pos("members") < pos("ok") && pos("members").is_some(),
        "{status}"
    );
    let members_text = status.split("\"members\" : [").nth(1).unwrap_or("");
    let member_keys = keys_at(members_text, "\t\t\t");
    assert_eq!(
        &member_keys[..6],
        &["_id", "name", "health", "state", "stateStr", "uptime"],
        "{status}"
    );
    assert!(status.contains("\t\"set\" : \"shopex\",\n"), "{status}");
    assert!(status.contains("\"stateStr\" : \"ARBITER\""), "{status}");
    assert!(
        status.contains("\"_id\" : 3,"),
        "the arbiter gets _id 3: {status}"
    );

    // A shell on the secondary, kept open across the failover.
    let survivor = hosts[..2]
        .iter()
        .find(|h| **h != primary)
        .expect("survivor")
        .clone();
    let mut s = Session::start(&["--quiet", &survivor]);
    assert_eq!(
        s.run("print(defaultPrompt())", Duration::from_secs(30)),
        "shopex:SECONDARY> \n"
    );
    let old = hosts.iter().position(|h| *h == primary).expect("index");
    members[old].kill();
    s.run(
        &format!("rs.waitForMember('{survivor}', 'PRIMARY', 60); print('')"),
        Duration::from_secs(90),
    );
    assert_eq!(
        s.run("print(defaultPrompt())", Duration::from_secs(30)),
        "shopex:PRIMARY> \n",
        "prompt follows the failover: {}",
        s.transcript
    );
    let status = s.run("rs.status()", Duration::from_secs(30));
    assert!(
        status.contains("\"stateStr\" : \"(not reachable/healthy)\""),
        "{status}"
    );
    assert!(status.contains("\"health\" : 0,"), "{status}");
    let mine = status.split("\"self\" : true").next().unwrap_or("");
    assert!(
        mine.rfind("\"stateStr\" : \"PRIMARY\"").is_some(),
        "{status}"
    );
}
