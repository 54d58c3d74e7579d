//! Regular expressions against a server: an escaped slash matches what pymongo's equivalent
//! `re.compile` matches (finds and deletes), and pymongo reads the regexes rsh stored as written.

use std::process::Command;
use support::{eval, one_member_primary, pymongo_python};

/// The values searched: the issue's cases, including literal backslashes.
// Integer ids (a JS number is stored as a double, which Python would print as 1.0).
const SETUP: &str = r#"db.t.drop(); db.t.insertMany([
  {_id: NumberInt(1), p: "/var/log/x"}, {_id: NumberInt(2), p: "\\/var\\/log"},
  {_id: NumberInt(3), p: "http://a"}, {_id: NumberInt(4), p: "x/y"}, {_id: NumberInt(5), p: "X/Y"},
  {_id: NumberInt(6), p: "http:\\/\\/a"}])"#;

/// (rsh literal, Python pattern, Python flags) pairs meaning the same.
const CASES: &[(&str, &str, &str)] = &[
    (r"/^\/var\/log/", "^/var/log", ""),
    (r"/^http:\/\//", "^http://", ""),
    (r"/^x\/y$/", "^x/y$", ""),
    (r"/^x\/y$/i", "^x/y$", "re.I"),
    (r"/[/]y/", "[/]y", ""),
];

fn python_ids(python: &std::path::Path, port: u16, pattern: &str, flags: &str) -> String {
    let flags = if flags.is_empty() { "0" } else { flags };
    let script = format!(
        "import re, pymongo\n\
         c = pymongo.MongoClient('127.0.0.1', {port}, directConnection=True)\n\
         ids = [d['_id'] for d in c.test.t.find({{'p': re.compile({pattern:?}, {flags})}}).sort('_id', 1)]\n\
         print(ids)\n"
    );
    let out = Command::new(python)
        .args(["-c", &script])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn escaped_slashes_match_what_pymongo_matches() {
    let Some(python) = pymongo_python("escaped_slashes_match_what_pymongo_matches") else {
        return;
    };
    let m = one_member_primary();
    let host = m.host();
    let r = eval(&host, SETUP);
    assert_eq!(r.code, 0, "{}", r.all());
    for (literal, pattern, flags) in CASES {
        let code = format!(
            "print(JSON.stringify(db.t.find({{p: {literal}}}).sort({{_id: 1}}).toArray().map(d => d._id)).replace(/,/g, ', '))"
        );
        let r = eval(&host, &code);
        assert_eq!(r.code, 0, "{}", r.all());
        let ours = r.stdout.trim().to_string();
        let theirs = python_ids(&python, m.port, pattern, flags);
        assert_eq!(ours, theirs, "{literal} vs re.compile({pattern:?})");
        assert_ne!(ours, "[]", "{literal} matches something");
    }
    // A delete with an escaped slash removes the matching document and only it.
    let r = eval(
        &host,
        r"print(db.t.deleteMany({p: /^x\/y$/}).deletedCount, db.t.countDocuments({}))",
    );
    assert_eq!(r.stdout.trim(), "1 5", "{}", r.all());
}

#[test]
fn pymongo_reads_the_regexes_rsh_stored() {
    let Some(python) = pymongo_python("pymongo_reads_the_regexes_rsh_stored") else {
        return;
    };
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        r"db.r.drop(); db.r.insertMany([{_id: NumberInt(1), r: /^\/var\/log/}, {_id: NumberInt(2), r: /a b/gimsuy},
          {_id: NumberInt(3), r: new RegExp('a/b[/]')}, {_id: NumberInt(4), r: /\\\//}])",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let script = format!(
        "import pymongo\n\
         from bson.regex import Regex\n\
         c = pymongo.MongoClient('127.0.0.1', {}, directConnection=True)\n\
         for d in c.test.r.find().sort('_id', 1):\n\
         \x20   raw = d['r']\n\
         \x20   print(d['_id'], repr(raw.pattern), raw.flags)\n\
         c.test.r.insert_one({{'_id': 5, 'r': Regex('a b # c', 'ix')}})\n",
        m.port
    );
    let out = Command::new(&python)
        .args(["-c", &script])
        .output()
        .expect("run python");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // re flags: I=2, M=8, S=16, U=32 (the regex module's values); `g`/`y` mean nothing there.
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        vec![
            r"1 '^\\/var\\/log' 0",
            "2 'a b' 58",
            "3 'a/b[/]' 0",
            r"4 '\\\\\\/' 0",
        ],
        "{text}"
    );
    // What pymongo wrote (an option JS lacks) survives an rsh read-modify-write unchanged.
    let r = eval(
        &host,
        "var d = db.r.findOne({_id: 5}); d.n = 1; db.r.replaceOne({_id: 5}, d); \
         printjson(db.r.findOne({_id: 5}))",
    );
    assert_eq!(
        r.stdout.trim(),
        r#"{ "_id" : 5, "r" : /a b # c/ix, "n" : 1 }"#,
        "{}",
        r.all()
    );
}
