//! Explicit sessions carry their own lsid: what the member saw is read back from its logical
//! session cache (`$listLocalSessions`) and its oplog (each retryable write's `lsid` and
//! `txnNumber`).

use support::{eval, one_member_primary};

#[test]
fn an_explicit_session_sends_its_own_lsid_and_txn_numbers() {
    let m = one_member_primary();
    let r = eval(
        &m.host(),
        r#"
function seen() {
    return db.getSiblingDB("admin").aggregate([{$listLocalSessions: {allUsers: true}}])
        .toArray().map(function (x) { return x._id.id.toString(); });
}
function oplog(ns) {
    return db.getSiblingDB("local").oplog.rs.find({ns: ns}).toArray();
}
db.implicit.insert({x: 1});
var implicit = db.getSession().getSessionId().id.toString();
var s = db.getMongo().startSession();
var mine = s.getSessionId().id.toString();
print("own id: " + (mine !== implicit));
print("unknown to the server before use: " + (seen().indexOf(mine) < 0));
var sdb = s.getDatabase("test");
for (var i = 0; i < 3; i++) { sdb.mine.insert({i: i}); }
sdb.mine.insert([{b: 1}, {b: 2}, {b: 3}]);
db.implicit.insert({x: 2});
print("known after use: " + (seen().indexOf(mine) >= 0));
print("writes: " + oplog("test.mine").map(function (e) {
    return (e.lsid.id.toString() === mine ? "mine" : "other") + ":" + e.txnNumber.toNumber();
}).join(" "));
print("implicit writes: " + oplog("test.implicit").map(function (e) {
    return e.lsid.id.toString() === implicit ? "implicit" : "other";
}).join(" "));
print("getMore in the session: " + sdb.mine.find().batchSize(2).itcount());
print("implicit id kept: " + (db.getSession().getSessionId().id.toString() === implicit));
s.endSession();
print("forgotten after end: " + (seen().indexOf(mine) < 0));
try { sdb.mine.insert({}); print("ended session used"); } catch (e) { print(e.message); }
// Options rsh does not apply per session are refused, not ignored.
[{readPreference: {mode: "secondary"}}, {readConcern: {level: "majority"}},
 {writeConcern: {w: 2}}, {retryWrites: false}].forEach(function (o) {
    try { db.getMongo().startSession(o); print("accepted " + tojson(o)); } catch (e) { print(e.message); }
});
print("causal off: " + !db.getMongo().startSession({causalConsistency: false, retryWrites: true}).isCausalConsistency());
"#,
    );
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        vec![
            "own id: true",
            "unknown to the server before use: true",
            "known after use: true",
            "writes: mine:1 mine:2 mine:3 mine:4 mine:4 mine:4",
            "implicit writes: implicit implicit",
            "getMore in the session: 6",
            "implicit id kept: true",
            "forgotten after end: true",
            "cannot use a session that has ended",
            "startSession(options): readPreference is not applied per session by rsh; set it on the connection: db.getMongo().setReadPref(mode, tags)",
            "startSession(options): readConcern is not applied per session by rsh; give it in the command (readConcern: {level: ...})",
            "startSession(options): writeConcern is not applied per session by rsh; give it to the write or set it on the connection: db.getMongo().setWriteConcern(wc)",
            "startSession(options): retryWrites: false is not applied per session by rsh; use retryWrites=false in the connection string",
            "causal off: true",
        ],
        "{}",
        r.all()
    );
}

/// The lsid (as hex) of a command seen on the wire.
fn lsid_hex(cmd: &bson::Document) -> Option<String> {
    match cmd.get_document("lsid").ok()?.get("id")? {
        bson::Bson::Binary(b) => Some(b.bytes.iter().map(|x| format!("{x:02x}")).collect()),
        _ => None,
    }
}

#[test]
fn on_the_wire_session_commands_carry_its_lsid_and_causal_reads() {
    let m = one_member_primary();
    let tap = support::wire_tap::WireTap::start(m.port);
    let r = eval(
        &format!("127.0.0.1:{}", tap.port),
        r#"
var s = db.getMongo().startSession();
var sdb = s.getDatabase("test");
sdb.w.insert([{a: 1}, {a: 2}, {a: 3}]);
sdb.w.find().batchSize(1).toArray();
var plain = db.getMongo().startSession({causalConsistency: false});
plain.getDatabase("test").w.findOne();
db.w.findOne();
print(s.getSessionId().id.hex());
print(plain.getSessionId().id.hex());
"#,
    );
    let ids: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(ids.len(), 2, "{}", r.all());
    let cmds = tap.commands();
    let named = |name: &str| -> Vec<&bson::Document> {
        cmds.iter()
            .filter(|c| c.keys().next().map(String::as_str) == Some(name))
            .filter(|c| c.get_str("$db") == Ok("test"))
            .collect()
    };
    let inserts = named("insert");
    assert_eq!(inserts.len(), 1, "{cmds:?}");
    assert_eq!(
        lsid_hex(inserts[0]).as_deref(),
        Some(ids[0]),
        "{:?}",
        inserts[0]
    );
    assert_eq!(inserts[0].get_i64("txnNumber"), Ok(1), "{:?}", inserts[0]);
    let finds = named("find");
    assert_eq!(finds.len(), 3, "{cmds:?}");
    // The causal session's read waits for its own write.
    assert_eq!(lsid_hex(finds[0]).as_deref(), Some(ids[0]));
    let rc = finds[0].get_document("readConcern").ok();
    assert!(
        rc.is_some_and(|rc| rc.contains_key("afterClusterTime")),
        "{:?}",
        finds[0]
    );
    let get_mores = named("getMore");
    assert!(!get_mores.is_empty(), "{cmds:?}");
    for g in &get_mores {
        assert_eq!(lsid_hex(g).as_deref(), Some(ids[0]), "{g:?}");
    }
    // causalConsistency: false is honoured; the implicit session is neither of the two.
    assert_eq!(lsid_hex(finds[1]).as_deref(), Some(ids[1]));
    assert!(!finds[1].contains_key("readConcern"), "{:?}", finds[1]);
    let implicit = lsid_hex(finds[2]);
    assert!(implicit.is_some(), "{:?}", finds[2]);
    assert!(implicit.as_deref() != Some(ids[0]) && implicit.as_deref() != Some(ids[1]));
}

#[test]
fn operation_time_is_the_servers_and_advancing_it_makes_reads_wait() {
    let m = one_member_primary();
    let tap = support::wire_tap::WireTap::start(m.port);
    let r = eval(
        &format!("127.0.0.1:{}", tap.port),
        r#"
var s1 = db.getMongo().startSession();
var s2 = db.getMongo().startSession();
print("before any command: " + tojson(s1.getOperationTime()));
s1.getDatabase("test").z.insert({a: 1});
var t = s1.getOperationTime();
print("a timestamp: " + (t instanceof Timestamp));
print("cluster time: " + (bsonWoCompare({t: s1.getClusterTime().clusterTime}, {t: t}) >= 0));
s2.advanceOperationTime(t);
s2.advanceOperationTime(Timestamp(1, 1));
print("never backwards: " + (bsonWoCompare({t: s2.getOperationTime()}, {t: t}) === 0));
try { s2.advanceOperationTime(5); print("5 accepted"); } catch (e) { print("refused: " + /advanceOperationTime\(t\): t must be/.test(e.message)); }
s2.getDatabase("test").z.findOne();
s1.endSession();
print("kept after end: " + (bsonWoCompare({t: s1.getOperationTime()}, {t: t}) === 0));
print(t.t + " " + t.i);
"#,
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "before any command: undefined",
            "a timestamp: true",
            "cluster time: true",
            "never backwards: true",
            "refused: true",
            "kept after end: true",
        ],
        "{}",
        r.all()
    );
    // s2's read waits for s1's write: afterClusterTime is the time it was advanced to.
    let (secs, inc) = lines[6].split_once(' ').expect("t i");
    let want = bson::Timestamp {
        time: secs.parse().expect("t"),
        increment: inc.parse().expect("i"),
    };
    let cmds = tap.commands();
    let find = cmds
        .iter()
        .find(|c| c.contains_key("find") && c.get_str("$db") == Ok("test"))
        .expect("the find went out");
    let after = find
        .get_document("readConcern")
        .ok()
        .and_then(|rc| rc.get_timestamp("afterClusterTime").ok());
    assert_eq!(after, Some(want), "{find:?}");
}
