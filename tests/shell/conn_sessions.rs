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
        ],
        "{}",
        r.all()
    );
}
