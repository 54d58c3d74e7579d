//! `--json` against a one-member sandbox set: a cursor (the last `--eval` value or a REPL
//! result) prints its next batch as one Extended JSON array, like mongosh's `--json`.

use std::time::Duration;

use serde_json::{json, Value};
use support::{one_member_primary, rsh, Member, Run};

/// A one-member set `rs0` with `c` holding `{_id: i, n: NumberLong(i * i)}` for i in 0..25.
fn seeded() -> (Member, String) {
    let m = one_member_primary();
    let host = m.host();
    let seed = "var a = []; for (var i = 0; i < 25; i++) a.push({_id: i, n: NumberLong(i * i)}); \
                db.c.insertMany(a); db.c.count()";
    let r = json_eval(&host, "", seed);
    assert_eq!(r.stdout.trim(), "25", "{}", r.all());
    (m, host)
}

/// `rsh --quiet [flag] host --eval code` (an empty flag is left out).
fn json_eval(host: &str, flag: &str, code: &str) -> Run {
    let mut args = vec!["--quiet"];
    if !flag.is_empty() {
        args.push(flag);
    }
    args.extend_from_slice(&[host, "--eval", code]);
    rsh(&args, "", Duration::from_secs(60))
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON value: {e}:\n{text}"))
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|d| d["_id"].as_i64().unwrap_or(-1))
        .collect()
}

#[test]
fn cursors_print_as_extended_json_arrays() {
    let (_m, host) = seeded();

    // The last --eval value is a cursor: its first batch (shellBatchSize) as one array, no hint.
    let r = json_eval(&host, "--json", "db.c.find()");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.stdout.contains("Type \"it\""), "{}", r.stdout);
    assert_eq!(ids(&parse(&r.stdout)), (0..20).collect::<Vec<i64>>());

    let r = json_eval(
        &host,
        "--json",
        "DBQuery.shellBatchSize = 3; db.c.find().sort({_id: -1})",
    );
    assert_eq!(
        parse(&r.stdout),
        json!([
            {"_id": 24, "n": 576}, {"_id": 23, "n": 529}, {"_id": 22, "n": 484}
        ])
    );

    let r = json_eval(&host, "--json=canonical", "db.c.find({_id: 2})");
    assert_eq!(
        parse(&r.stdout),
        json!([{"_id": {"$numberDouble": "2.0"}, "n": {"$numberLong": "4"}}]),
        "{}",
        r.stdout
    );

    // No documents: an empty array, not nothing.
    let r = json_eval(&host, "--json", "db.c.find({_id: 99})");
    assert_eq!(r.stdout, "[]\n", "{}", r.all());

    // A command cursor and toArray() print the same way.
    let r = json_eval(
        &host,
        "--json",
        "db.c.aggregate([{$match: {_id: {$gt: 22}}}])",
    );
    assert_eq!(ids(&parse(&r.stdout)), vec![23, 24]);
    let r = json_eval(&host, "--json", "db.c.find().toArray()");
    assert_eq!(ids(&parse(&r.stdout)), (0..25).collect::<Vec<i64>>());

    // Without --json the legacy lines and hint are unchanged.
    let r = json_eval(&host, "", "db.c.find()");
    assert_eq!(r.stdout.lines().count(), 21, "{}", r.stdout);
    assert!(r.stdout.ends_with("Type \"it\" for more\n"), "{}", r.stdout);
}

#[test]
fn repl_cursor_and_it_under_json() {
    let (_m, host) = seeded();
    let r = rsh(
        &["--quiet", "--json", &host],
        "db.c.find()\nit\nit\n",
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    // Two arrays (20 then 5 documents), then `it` has no cursor left.
    let (json_part, rest) = r
        .stdout
        .rsplit_once("]\n")
        .unwrap_or_else(|| panic!("no array: {}", r.stdout));
    assert_eq!(rest, "no cursor\n", "{}", r.stdout);
    let values: Vec<Value> = serde_json::Deserializer::from_str(&format!("{json_part}]"))
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("not JSON values: {e}: {}", r.stdout));
    assert_eq!(values.len(), 2, "{}", r.stdout);
    assert_eq!(ids(&values[0]), (0..20).collect::<Vec<i64>>());
    assert_eq!(ids(&values[1]), (20..25).collect::<Vec<i64>>());
}
