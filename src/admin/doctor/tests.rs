use bson::{doc, DateTime, Document};

use super::*;

const NOW: i64 = 1_000_000_000;

fn date(ms: i64) -> Bson {
    Bson::DateTime(DateTime::from_millis(ms))
}

fn entry(id: i32, state: i32, health: f64, optime_ms: i64) -> Document {
    let state_str = match state {
        1 => "PRIMARY",
        2 => "SECONDARY",
        3 => "RECOVERING",
        7 => "ARBITER",
        9 => "ROLLBACK",
        _ => "(not reachable/healthy)",
    };
    doc! {"_id": id, "name": format!("h{id}:1"), "health": health, "state": state, "stateStr": state_str, "optimeDate": date(optime_ms)}
}

fn report(id: i32, version: &str) -> MemberReport {
    MemberReport {
        host: format!("h{id}:1"),
        hello: Some(
            doc! {"localTime": date(NOW + 200), "me": format!("h{id}:1"), "setName": "rs0"},
        ),
        version: Some(version.into()),
        startup_warnings: Vec::new(),
        error: None,
    }
}

fn healthy() -> Inputs {
    Inputs {
        status: doc! {"members": [entry(0, 1, 1.0, NOW), entry(1, 2, 1.0, NOW - 1000), entry(2, 2, 1.0, NOW)]},
        config: doc! {"_id": "rs0", "version": 3, "members": [
        {"_id": 0, "host": "h0:1"}, {"_id": 1, "host": "h1:1"}, {"_id": 2, "host": "h2:1"}]},
        now_ms: NOW,
        members: vec![
            report(0, "7.0.14"),
            report(1, "7.0.14"),
            report(2, "7.0.14"),
        ],
        fcv: Some("7.0".into()),
        default_rw_concern: Some(doc! {"defaultWriteConcernSource": "implicit"}),
        oplog: Some((0.5, 1.0, 990.0)),
    }
}

fn levels(f: &[Finding]) -> Vec<Level> {
    f.iter().map(|x| x.level).collect()
}

fn has(f: &[Finding], level: Level, text: &str) -> bool {
    f.iter()
        .any(|x| x.level == level && x.message.contains(text))
}

#[test]
fn a_healthy_set_is_all_ok() {
    let f = check(&healthy());
    assert!(levels(&f).iter().all(|l| *l == Level::Ok), "{f:#?}");
    assert_eq!(f.len(), 8, "{f:#?}");
    assert!(has(&f, Level::Ok, "members: all 3 healthy"));
    assert!(has(
        &f,
        Level::Ok,
        "oplog window: 0.5 hours, oplog not full yet"
    ));
    assert_eq!(report_doc(&f).get_bool("ok"), Ok(true));
}

fn report_doc(f: &[Finding]) -> Document {
    super::report(f)
}

#[test]
fn a_sick_set_shows_each_finding() {
    let mut inp = healthy();
    inp.status = doc! {"members": [
        entry(0, 1, 1.0, NOW), entry(1, 2, 1.0, NOW - 60_000), entry(2, 8, 0.0, 0),
        entry(3, 3, 1.0, NOW), entry(4, 9, 1.0, NOW),
    ]};
    inp.config = doc! {"_id": "rs0", "version": 3, "members": [
    {"_id": 0, "host": "h0:1"}, {"_id": 1, "host": "h1:1"}, {"_id": 2, "host": "h2:1"},
    {"_id": 3, "host": "h3:1"}, {"_id": 4, "host": "h4:1"}, {"_id": 5, "host": "h5:1", "arbiterOnly": true}]};
    inp.members[1].hello = Some(doc! {"localTime": date(NOW + 120_000)});
    inp.members[1].version = Some("6.0.3".into());
    inp.members[0].startup_warnings = vec![
        "{\"t\":1,\"msg\":\"Access control is not enabled for the database\"}".into(),
        "second".into(),
    ];
    inp.default_rw_concern = Some(
        doc! {"defaultWriteConcern": {"w": "majority"}, "defaultWriteConcernSource": "global"},
    );
    inp.oplog = Some((2.0, 990.0, 990.0));
    let f = check(&inp);
    assert!(has(&f, Level::Fail, "h2:1 is unreachable"), "{f:#?}");
    assert!(has(&f, Level::Warn, "h3:1 is RECOVERING"));
    assert!(has(&f, Level::Warn, "h4:1 is in ROLLBACK"));
    assert!(has(
        &f,
        Level::Warn,
        "replication lag: h1:1 60s behind the primary"
    ));
    assert!(has(&f, Level::Warn, "oplog window: 2.0 hours"));
    assert!(has(
        &f,
        Level::Warn,
        "clock skew against this machine: h1:1 +120s"
    ));
    assert!(has(&f, Level::Warn, "config: 6 voting members"));
    assert!(has(
        &f,
        Level::Warn,
        "mixed server versions: 7.0.14 on h0:1, h2:1; 6.0.3 on h1:1"
    ));
    assert!(has(
        &f,
        Level::Warn,
        "1 arbiter(s) with a majority default write concern (global)"
    ));
    assert!(has(
        &f,
        Level::Warn,
        "h0:1 startup warning: Access control is not enabled for the database (and 1 more)"
    ));
    assert_eq!(report_doc(&f).get_bool("ok"), Ok(false));
}

#[test]
fn no_primary_and_old_fcv() {
    let mut inp = healthy();
    inp.status = doc! {"members": [entry(0, 2, 1.0, NOW), entry(1, 2, 1.0, NOW)]};
    inp.fcv = Some("6.0".into());
    let f = check(&inp);
    assert!(has(&f, Level::Fail, "no member is PRIMARY"));
    assert!(has(
        &f,
        Level::Warn,
        "featureCompatibilityVersion 6.0 on 7.0.14 servers"
    ));
}

#[test]
fn from_document_reads_what_rs_js_sends() {
    let d = doc! {
        "status": {"members": []}, "config": {"_id": "rs0"}, "now": date(NOW),
        "members": [{"host": "h0:1", "hello": {"me": "h0:1"}, "version": "7.0.14", "startupWarnings": ["w"]},
                    {"host": "h1:1", "error": "timed out"}],
        "fcv": "7.0", "defaultRWConcern": {"defaultWriteConcernSource": "implicit"},
        "oplog": {"windowHours": 1.5, "usedMB": 1, "sizeMB": 990},
    };
    let inp = Inputs::from_document(&d);
    assert_eq!(inp.now_ms, NOW);
    assert_eq!(inp.members.len(), 2);
    assert_eq!(inp.members[0].startup_warnings, vec!["w"]);
    assert_eq!(inp.members[1].error.as_deref(), Some("timed out"));
    assert_eq!(inp.oplog, Some((1.5, 1.0, 990.0)));
}
