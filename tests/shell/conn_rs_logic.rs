//! The rs.* helpers' legacy logic with a stand-in `db` (no server): the commands they build,
//! the reconnect wrapper's messages, rs.add's ids and arbiter check, rs.remove's error string.

use std::time::Duration;

use support::rsh;

/// A fake `db`: records admin commands in `sent`, answers from `answer(cmd)`; the local
/// database holds `cfg` in system.replset.
const FAKE_DB: &str = r#"
var sent = [];
var cfg = {_id: "rs0", version: 3, members: [{_id: 0, host: "a:1"}, {_id: 4, host: "b:2"}]};
var answer = function (c) { return {ok: 1}; };
db = {
    adminCommand: function (c) { sent.push(c); return answer(c); },
    _adminCommand: function (c) { sent.push(c); return answer(c); },
    getSiblingDB: function () {
        return {system: {replset: {count: function () { return 1; }, findOne: function () { return cfg; }}}};
    }
};
// The checks in front of a change (preflight, dry runs) need servers; their own tests cover them.
rs._change = function (d, action, current, proposed, force, own, send) { return send(); };
"#;

fn run(code: &str) -> String {
    let script = format!("{FAKE_DB}\n{code}");
    let r = rsh(
        &["--nodb", "--quiet", "--eval", &script],
        "",
        Duration::from_secs(30),
    );
    r.stdout
}

#[test]
fn commands_built_by_the_helpers() {
    let out = run(
        "rs.initiate(); var c = sent[0]; print('replSetInitiate' in c, c.replSetInitiate === undefined); \
         rs.stepDown(); rs.stepDown(10, 5); print(tojsononeline(sent[1]), tojsononeline(sent[2])); \
         rs.freeze(30); rs.syncFrom('b:2'); print(sent[3].replSetFreeze, sent[4].replSetSyncFrom); \
         answer = function (c) { return c.replSetGetConfig ? {ok: 1, config: {version: 7, members: []}} : {ok: 1}; }; \
         var mine = {_id: 'rs0', version: 1, members: []}; rs.reconfig(mine, {force: true}); \
         var last = sent[sent.length - 1]; print(mine.version, last.force, last.replSetReconfig === undefined ? 'no cfg' : last.replSetReconfig.version)",
    );
    let expected = format!(
        "true true\n{} {}\n30 b:2\n8 true 8\n",
        tojsononeline_like("{ \"replSetStepDown\" : 60 }"),
        tojsononeline_like("{ \"replSetStepDown\" : 10, \"secondaryCatchUpPeriodSecs\" : 5 }")
    );
    assert_eq!(out, expected);
}

/// The js layer's `tojsononeline` spacing, whatever it is, applied to a simple document: the
/// test is about the fields, not the printer.
fn tojsononeline_like(plain: &str) -> String {
    let r = rsh(
        &[
            "--nodb",
            "--quiet",
            "--eval",
            &format!("tojsononeline({plain})"),
        ],
        "",
        Duration::from_secs(30),
    );
    r.stdout.trim_end().to_string()
}

#[test]
fn add_uses_the_next_id_and_checks_arbiter_documents() {
    let out = run(
        "rs.add('c:3'); var m = sent[0].replSetReconfig; print(sent[0].replSetReconfig.version, m.members[2]._id, m.members[2].host); \
         rs.addArb('d:4'); m = sent[1].replSetReconfig; print(m.members[m.members.length - 1].arbiterOnly); \
         try { rs.add({host: 'e:5'}, true); } catch (e) { print(e.message); }",
    );
    assert_eq!(
        out,
        "4 5 c:3\ntrue\nExpected first parameter to be a host-and-port string of arbiter, but got { \"host\" : \"e:5\" }\n"
    );
}

#[test]
fn remove_returns_the_legacy_error_string() {
    let out = run("rs.remove('a')");
    // Exact host match only ("a" is not "a:1"); the short member list collapses to one line.
    let expected = "error: couldn't find a in [ { \"_id\" : 0, \"host\" : \"a:1\" }, { \"_id\" : 4, \"host\" : \"b:2\" } ]\n";
    assert_eq!(out, expected);
    let out = run("rs.remove('a:1'); print(sent[0].replSetReconfig.members.length, sent[0].replSetReconfig.version)");
    assert_eq!(out, "1 4\n");
}

#[test]
fn reconnect_wrapper_messages() {
    let out = run(
        "var first = true; db.adminCommand = function (c) { if (first) { first = false; \
           throw Error('the primary changed during the command'); } return {ok: 1}; }; \
         print(JSON.stringify(rs._runCmd({replSetReconfig: {}})));",
    );
    assert_eq!(
        out,
        "reconnected to server after rs command (which is normal)\n\"\"\n"
    );
    let out = run(
        "db.adminCommand = function () { throw Error('boom'); }; print(JSON.stringify(rs._runCmd({x: 1})));",
    );
    assert_eq!(
        out,
        "shell got exception during repl set operation: Error: boom\n\
         in some circumstances, the primary steps down and closes connections on a reconfig\n\"\"\n"
    );
}

#[test]
fn conf_errors_and_rs_itself() {
    let out = run(
        "answer = function () { return {ok: 0, errmsg: 'nope', code: 1}; }; \
         try { rs.conf(); } catch (e) { print(e.message); } print(rs());",
    );
    assert_eq!(
        out,
        "Could not retrieve replica set config: { \"ok\" : 0, \"errmsg\" : \"nope\", \"code\" : 1 }\ntry rs.help()\n"
    );
}
