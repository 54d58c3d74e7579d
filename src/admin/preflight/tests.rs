use bson::{doc, oid::ObjectId, Bson, Document};

use super::*;
use crate::admin::finding::Level;

/// Canned answers: every host listed answers with its hello; others time out.
struct Fake(Vec<HostProbe>);

impl Probe for Fake {
    fn probe(&self, hosts: &[String]) -> Vec<HostProbe> {
        hosts
            .iter()
            .map(|h| {
                self.0
                    .iter()
                    .find(|p| config::same_host(&p.host, h))
                    .cloned()
                    .unwrap_or_else(|| HostProbe {
                        host: h.clone(),
                        resolve_error: None,
                        hello: Err("no answer within 2 s".into()),
                        repl_set: None,
                    })
            })
            .collect()
    }
}

fn member_hello(host: &str, primary: bool) -> HostProbe {
    HostProbe {
        host: host.into(),
        resolve_error: None,
        hello: Ok(doc! {
            "isWritablePrimary": primary, "setName": "rs0", "me": host, "maxWireVersion": 21,
            "hosts": [host], "topologyVersion": {"processId": ObjectId::new(), "counter": 0i64},
        }),
        repl_set: Some("rs0".into()),
    }
}

fn empty_hello(host: &str, set: &str) -> HostProbe {
    HostProbe {
        host: host.into(),
        resolve_error: None,
        hello: Ok(doc! {
            "isWritablePrimary": false, "isreplicaset": true, "maxWireVersion": 21,
            "topologyVersion": {"processId": ObjectId::new(), "counter": 0i64},
        }),
        repl_set: Some(set.into()),
    }
}

fn cfg(version: i32, members: &[Document]) -> Document {
    doc! {"_id": "rs0", "version": version, "members": members.iter().cloned().map(Bson::Document).collect::<Vec<_>>()}
}

fn m(id: i32, host: &str) -> Document {
    doc! {"_id": id, "host": host}
}

fn plan(action: Action, current: Option<Document>, proposed: Document) -> Plan {
    Plan {
        action,
        current,
        proposed: Some(proposed),
        force: false,
        connected: "a:1".into(),
        server_hostname: None,
        set_name: None,
        default_rw_concern: Some(doc! {"defaultWriteConcernSource": "implicit"}),
    }
}

fn three() -> Document {
    cfg(1, &[m(0, "a:1"), m(1, "b:1"), m(2, "c:1")])
}

fn up3() -> Vec<HostProbe> {
    vec![
        member_hello("a:1", true),
        member_hello("b:1", false),
        member_hello("c:1", false),
    ]
}

fn messages(f: &[Finding], level: Level) -> Vec<String> {
    f.iter()
        .filter(|x| x.level == level)
        .map(|x| x.message.clone())
        .collect()
}

fn has(f: &[Finding], level: Level, text: &str) -> bool {
    f.iter()
        .any(|x| x.level == level && x.message.contains(text))
}

#[test]
fn a_healthy_add_is_clean() {
    let mut probes = up3();
    probes.push(empty_hello("d:1", "rs0"));
    let new = cfg(
        2,
        &[
            m(0, "a:1"),
            m(1, "b:1"),
            m(2, "c:1"),
            m(3, "d:1"),
            m(4, "e:1"),
        ],
    );
    probes.push(empty_hello("e:1", "rs0"));
    let f = run(&plan(Action::Add, Some(three()), new), &Fake(probes));
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn unreachable_new_host_fails() {
    let new = cfg(
        2,
        &[
            m(0, "a:1"),
            m(1, "b:1"),
            m(2, "c:1"),
            m(3, "d:1"),
            m(4, "e:1"),
        ],
    );
    let mut probes = up3();
    probes.push(empty_hello("e:1", "rs0"));
    let f = run(&plan(Action::Add, Some(three()), new), &Fake(probes));
    assert!(has(&f, Level::Fail, "d:1 does not answer hello"), "{f:?}");
    assert!(!has(&f, Level::Fail, "e:1"), "{f:?}");
}

#[test]
fn other_set_name_and_no_repl_set_fail() {
    let new = cfg(
        2,
        &[
            m(0, "a:1"),
            m(1, "b:1"),
            m(2, "c:1"),
            m(3, "d:1"),
            m(4, "e:1"),
        ],
    );
    let mut probes = up3();
    probes.push(empty_hello("d:1", "other"));
    let mut standalone = empty_hello("e:1", "x");
    standalone.repl_set = None;
    standalone.hello = Ok(doc! {"isWritablePrimary": true, "maxWireVersion": 21});
    probes.push(standalone);
    let f = run(&plan(Action::Add, Some(three()), new), &Fake(probes));
    assert!(
        has(
            &f,
            Level::Fail,
            "d:1 was started with --replSet other, not rs0"
        ),
        "{f:?}"
    );
    assert!(
        has(&f, Level::Fail, "e:1 was not started with --replSet"),
        "{f:?}"
    );
}

#[test]
fn already_initiated_member_fails() {
    let mut probes = up3();
    let mut d = member_hello("d:1", true);
    d.hello = d.hello.map(|mut h| {
        h.insert("hosts", vec!["d:1", "x:1"]);
        h
    });
    probes.push(d);
    probes.push(empty_hello("e:1", "rs0"));
    let new = cfg(
        2,
        &[
            m(0, "a:1"),
            m(1, "b:1"),
            m(2, "c:1"),
            m(3, "d:1"),
            m(4, "e:1"),
        ],
    );
    let f = run(
        &plan(Action::Add, Some(three()), new.clone()),
        &Fake(probes.clone()),
    );
    assert!(
        has(
            &f,
            Level::Fail,
            "d:1 already has a replica-set config (set rs0: d:1, x:1)"
        ),
        "{f:?}"
    );
    let f = run(
        &plan(Action::Initiate, None, new.clone()),
        &Fake(probes.clone()),
    );
    assert!(has(&f, Level::Fail, "a:1 is already initiated"), "{f:?}");
    // A member just removed from this set still lists its members: it may join again.
    let mut stale = probes.clone();
    stale[3].hello = stale[3].hello.clone().map(|mut h| {
        h.insert("hosts", vec!["d:1", "a:1", "b:1"]);
        h
    });
    let f = run(&plan(Action::Add, Some(three()), new.clone()), &Fake(stale));
    assert!(!has(&f, Level::Fail, "d:1"), "{f:?}");
    // A member removed from its set names the set but lists no hosts: it may join again.
    probes[3].hello = probes[3].hello.clone().map(|mut h| {
        h.remove("hosts");
        h
    });
    let f = run(&plan(Action::Add, Some(three()), new), &Fake(probes));
    assert!(!has(&f, Level::Fail, "d:1"), "{f:?}");
}

#[test]
fn unresolvable_name_fails() {
    let mut probes = up3();
    probes.push(HostProbe {
        host: "nosuch.invalid:1".into(),
        resolve_error: Some("name not known".into()),
        hello: Err("not resolved".into()),
        repl_set: None,
    });
    let new = cfg(
        2,
        &[
            m(0, "a:1"),
            m(1, "b:1"),
            m(2, "c:1"),
            m(3, "nosuch.invalid:1"),
        ],
    );
    let f = run(&plan(Action::Add, Some(three()), new), &Fake(probes));
    assert!(
        has(
            &f,
            Level::Fail,
            "cannot resolve \"nosuch.invalid:1\": name not known"
        ),
        "{f:?}"
    );
}

#[test]
fn host_without_port_warns() {
    let mut probes = up3();
    probes.push(empty_hello("10.0.0.3", "rs0"));
    let new = cfg(
        2,
        &[m(0, "a:1"), m(1, "b:1"), m(2, "c:1"), m(3, "10.0.0.3")],
    );
    let f = run(&plan(Action::Add, Some(three()), new), &Fake(probes));
    assert!(
        has(
            &f,
            Level::Warn,
            "\"10.0.0.3\" has no port: the server takes 10.0.0.3:27017"
        ),
        "{f:?}"
    );
    let f = run(&plan(Action::Add, None, three()), &Fake(up3()));
    assert!(!has(&f, Level::Warn, "no port"), "{f:?}");
}

#[test]
fn mixed_localhost_fails() {
    let new = cfg(
        1,
        &[m(0, "localhost:1"), m(1, "10.1.1.1:1"), m(2, "127.0.0.1:2")],
    );
    let f = check(&plan(Action::Initiate, None, new), &[]);
    assert!(
        has(
            &f,
            Level::Fail,
            "mixes localhost (localhost:1, 127.0.0.1:2) and other hosts (10.1.1.1:1)"
        ),
        "{f:?}"
    );
    let f = check(
        &plan(
            Action::Initiate,
            None,
            cfg(1, &[m(0, "localhost:1"), m(1, "127.0.0.1:2")]),
        ),
        &[],
    );
    assert!(!has(&f, Level::Fail, "mixes"), "{f:?}");
}

#[test]
fn majority_lost_fails() {
    // Five voters, only a and b answer: two of five.
    let new = cfg(
        2,
        &[
            m(0, "a:1"),
            m(1, "b:1"),
            m(2, "c:1"),
            m(3, "d:1"),
            m(4, "e:1"),
        ],
    );
    let probes = vec![member_hello("a:1", true), member_hello("b:1", false)];
    let f = check(
        &plan(Action::Reconfig, Some(new.clone()), new.clone()),
        &probes,
    );
    assert!(
        has(
            &f,
            Level::Fail,
            "only 2 of 5 voting members answer (c:1, d:1, e:1 do not)"
        ),
        "{f:?}"
    );
    let f = check(&plan(Action::Reconfig, Some(new), three()), &up3());
    assert!(!has(&f, Level::Fail, "only"), "{f:?}");
}

#[test]
fn all_priorities_zero_fails() {
    let mut new = three();
    if let Ok(list) = new.get_array_mut("members") {
        for x in list.iter_mut() {
            if let Bson::Document(d) = x {
                d.insert("priority", 0);
            }
        }
    }
    let f = check(&plan(Action::Reconfig, Some(three()), new), &up3());
    assert!(
        has(&f, Level::Fail, "every voting data member has priority 0"),
        "{f:?}"
    );
    let f = check(&plan(Action::Reconfig, Some(three()), three()), &up3());
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn voters_limits() {
    let eight: Vec<Document> = (0..8).map(|i| m(i, &format!("h{i}:1"))).collect();
    let f = check(&plan(Action::Initiate, None, cfg(1, &eight)), &[]);
    assert!(
        has(
            &f,
            Level::Fail,
            "8 voting members: at most 7 members may vote"
        ),
        "{f:?}"
    );
    let many: Vec<Document> = (0..51)
        .map(|i| doc! {"_id": i, "host": format!("h{i}:1"), "votes": i32::from(i < 7), "priority": i32::from(i < 7)})
        .collect();
    let f = check(&plan(Action::Initiate, None, cfg(1, &many)), &[]);
    assert!(
        has(
            &f,
            Level::Fail,
            "51 members: a replica set has at most 50 members"
        ),
        "{f:?}"
    );
    assert!(!has(&f, Level::Fail, "voting members: at most"), "{f:?}");
    let f = check(&plan(Action::Initiate, None, cfg(1, &eight[..4])), &[]);
    assert!(
        has(&f, Level::Warn, "4 voting members: an even number"),
        "{f:?}"
    );
}

#[test]
fn removing_or_demoting_the_connected_member_warns() {
    let two = cfg(2, &[m(1, "b:1"), m(2, "c:1"), m(3, "d:1")]);
    let mut probes = up3();
    probes.push(empty_hello("d:1", "rs0"));
    let f = check(&plan(Action::Remove, Some(three()), two), &probes);
    assert!(
        has(
            &f,
            Level::Warn,
            "this removes a:1, the member rsh is connected to"
        ),
        "{f:?}"
    );
    let demoted = cfg(
        2,
        &[
            doc! {"_id": 0, "host": "a:1", "priority": 0},
            m(1, "b:1"),
            m(2, "c:1"),
        ],
    );
    let f = check(&plan(Action::Reconfig, Some(three()), demoted), &up3());
    assert!(has(&f, Level::Warn, "this demotes a:1"), "{f:?}");
}

#[test]
fn arbiter_changing_implicit_write_concern_fails_with_the_command() {
    let ps = cfg(1, &[m(0, "a:1"), m(1, "b:1")]);
    let psa = cfg(
        2,
        &[
            m(0, "a:1"),
            m(1, "b:1"),
            doc! {"_id": 2, "host": "c:1", "arbiterOnly": true},
        ],
    );
    let mut probes = up3();
    probes[2] = empty_hello("c:1", "rs0");
    let f = check(
        &plan(Action::AddArb, Some(ps.clone()), psa.clone()),
        &probes,
    );
    let fail = f
        .iter()
        .find(|x| x.message.contains("implicit default write concern"))
        .expect("finding");
    assert_eq!(fail.level, Level::Fail);
    assert!(fail.message.contains("from {w: \"majority\"} to {w: 1}"));
    assert_eq!(fail.message.lines().count(), 2);
    assert!(fail
        .fix
        .as_deref()
        .unwrap_or("")
        .starts_with(SET_DEFAULT_WRITE_CONCERN));
    // A cluster-wide default set, or a server before 5.0: no finding.
    let mut p = plan(Action::AddArb, Some(ps.clone()), psa.clone());
    p.default_rw_concern =
        Some(doc! {"defaultWriteConcern": {"w": 1}, "defaultWriteConcernSource": "global"});
    assert!(!has(&check(&p, &probes), Level::Fail, "implicit"));
    let old: Vec<HostProbe> = probes
        .iter()
        .cloned()
        .map(|mut x| {
            x.hello = x.hello.map(|mut h| {
                h.insert("maxWireVersion", 9);
                h
            });
            x
        })
        .collect();
    assert!(!has(
        &check(&plan(Action::AddArb, Some(ps), psa), &old),
        Level::Fail,
        "implicit"
    ));
}

#[test]
fn force_with_a_primary_up_warns() {
    let mut p = plan(Action::Reconfig, Some(three()), three());
    p.force = true;
    assert!(has(
        &check(&p, &up3()),
        Level::Warn,
        "force reconfig while a primary (a:1) is reachable"
    ));
    let none_primary = vec![member_hello("b:1", false), member_hello("c:1", false)];
    assert!(!has(&check(&p, &none_primary), Level::Warn, "force"));
}

#[test]
fn same_process_twice_fails() {
    let mut probes = up3();
    let twin = probes[0].hello.clone();
    probes[1].hello = twin.map(|mut h| {
        h.insert("me", "a:1");
        h
    });
    let f = check(&plan(Action::Initiate, None, three()), &probes);
    assert!(
        has(&f, Level::Fail, "b:1 and a:1 are the same server process"),
        "{f:?}"
    );
    assert!(has(&f, Level::Warn, "b:1 calls itself \"a:1\""), "{f:?}");
}

#[test]
fn initiate_without_config_warns_with_the_config_to_use() {
    let mut p = plan(Action::Initiate, None, doc! {});
    p.proposed = None;
    p.connected = "127.0.0.1:40001".into();
    p.server_hostname = Some("c0ffee".into());
    p.set_name = Some("rs9".into());
    let f = check(&p, &[]);
    assert_eq!(messages(&f, Level::Warn).len(), 1, "{f:?}");
    assert!(f[0].message.contains("\"c0ffee:40001\""));
    assert_eq!(
        f[0].fix.as_deref(),
        Some("rs.initiate({_id: \"rs9\", members: [{_id: 0, host: \"127.0.0.1:40001\"}]})")
    );
    p.server_hostname = Some("127.0.0.1".into());
    assert!(check(&p, &[]).is_empty());
}
