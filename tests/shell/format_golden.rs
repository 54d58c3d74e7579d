//! Golden tests of the legacy output formatting .
//!
//! Each case builds a value in Rust and renders it the way the shell prints it (`print(x)`:
//! the text plus a newline). The expected bytes live in `tests/golden/format/<case>.txt`,
//! transcribed from the reference (legacy-shell-behaviour.md) or cut from the seed transcripts;
//! they are never produced by this code. All cases run in one test so the time zone can be
//! pinned to UTC once (Date.toString text is local time), and every mismatch is reported.

use bson::{doc, oid::ObjectId, spec::BinarySubtype, Binary, Bson, DateTime, Document, Timestamp};
use rsh::format::{self, replinfo, Style};
use std::path::Path;

const S: Style = Style { number_int: false };

fn print(text: String) -> String {
    text + "\n"
}

fn pretty(v: impl Into<Bson>) -> String {
    print(format::pretty(&v.into(), S))
}

fn one_line(v: impl Into<Bson>) -> String {
    print(format::one_line(&v.into(), S))
}

fn date(iso: &str) -> DateTime {
    match DateTime::parse_rfc3339_str(iso) {
        Ok(d) => d,
        Err(e) => panic!("bad date in test {iso}: {e}"),
    }
}

fn oid(hex: &str) -> ObjectId {
    match ObjectId::parse_str(hex) {
        Ok(o) => o,
        Err(e) => panic!("bad oid in test {hex}: {e}"),
    }
}

fn ts(time: u32, increment: u32) -> Timestamp {
    Timestamp { time, increment }
}

fn bin(subtype: BinarySubtype, bytes: &[u8]) -> Bson {
    Bson::Binary(Binary {
        subtype,
        bytes: bytes.to_vec(),
    })
}

/// A member document of the seed 002 `rs.status()` replies.
#[allow(clippy::too_many_arguments)]
fn member(id: i32, name: &str, health: f64, state: i32, state_str: &str, uptime: i32) -> Document {
    doc! {
        "_id": id, "name": name, "health": health, "state": state, "stateStr": state_str,
        "uptime": uptime,
    }
}

fn optime(m: &mut Document, secs: u32, date_iso: &str) {
    m.insert("optime", ts(secs, 1));
    m.insert("optimeDate", date(date_iso));
}

fn heartbeat(m: &mut Document, last: &str, recv: &str, ping: i32) {
    m.insert("lastHeartbeat", date(last));
    m.insert("lastHeartbeatRecv", date(recv));
    m.insert("pingMs", ping);
}

fn status(date_iso: &str, members: Vec<Document>) -> Document {
    doc! { "set": "shopex", "date": date(date_iso), "myState": 1, "members": members, "ok": 1.0 }
}

/// The first `rs.status()` of seed 002, rebuilt with the server's BSON types.
fn seed002_rs_status() -> Document {
    let mut m1 = member(1, "127.0.0.1:27017", 1.0, 1, "PRIMARY", 986);
    optime(&mut m1, 1_450_623_497, "2015-12-20T14:58:17Z");
    m1.insert("self", true);
    let mut m2 = member(2, "127.0.0.1:27018", 1.0, 2, "SECONDARY", 46);
    optime(&mut m2, 1_450_623_497, "2015-12-20T14:58:17Z");
    heartbeat(&mut m2, "2015-12-20T14:59:09Z", "2015-12-20T14:59:10Z", 0);
    m2.insert("syncingTo", "127.0.0.1:27017");
    status("2015-12-20T14:59:11Z", vec![m1, m2])
}

/// The second `rs.status()` of seed 002: an arbiter (no optime) has joined.
fn seed002_rs_status_arbiter() -> Document {
    let mut m1 = member(1, "127.0.0.1:27017", 1.0, 1, "PRIMARY", 1272);
    optime(&mut m1, 1_450_623_782, "2015-12-20T15:03:02Z");
    m1.insert("self", true);
    let mut m2 = member(2, "127.0.0.1:27018", 1.0, 2, "SECONDARY", 332);
    optime(&mut m2, 1_450_623_782, "2015-12-20T15:03:02Z");
    heartbeat(&mut m2, "2015-12-20T15:03:56Z", "2015-12-20T15:03:56Z", 0);
    m2.insert("syncingTo", "127.0.0.1:27017");
    let mut m3 = member(3, "127.0.0.1:27019", 1.0, 7, "ARBITER", 55);
    heartbeat(&mut m3, "2015-12-20T15:03:56Z", "2015-12-20T15:03:55Z", 0);
    status("2015-12-20T15:03:57Z", vec![m1, m2, m3])
}

/// The third `rs.status()` of seed 002: the old primary is unreachable.
fn seed002_rs_status_failover() -> Document {
    let mut m1 = member(1, "127.0.0.1:27017", 0.0, 8, "(not reachable/healthy)", 0);
    optime(&mut m1, 1_450_623_782, "2015-12-20T15:03:02Z");
    heartbeat(&mut m1, "2015-12-20T15:06:21Z", "2015-12-20T15:05:52Z", 0);
    let mut m2 = member(2, "127.0.0.1:27018", 1.0, 1, "PRIMARY", 1308);
    optime(&mut m2, 1_450_623_782, "2015-12-20T15:03:02Z");
    m2.insert("self", true);
    let mut m3 = member(3, "127.0.0.1:27019", 1.0, 7, "ARBITER", 200);
    heartbeat(&mut m3, "2015-12-20T15:06:21Z", "2015-12-20T15:06:21Z", 1);
    status("2015-12-20T15:06:22Z", vec![m1, m2, m3])
}

/// The reference's `rs.conf()` example (7.0-style config, two members).
fn ref_rs_conf() -> Document {
    let member = |id: i32, host: &str| {
        doc! {
            "_id": id, "host": host, "arbiterOnly": false, "buildIndexes": true,
            "hidden": false, "priority": 1.0, "tags": {}, "secondaryDelaySecs": 0i64,
            "votes": 1,
        }
    };
    doc! {
        "_id": "rs0", "version": 1, "term": 1,
        "members": [member(0, "srv1:40001"), member(1, "srv2:40002")],
        "protocolVersion": 1i64, "writeConcernMajorityJournalDefault": true,
        "settings": {
            "chainingAllowed": true, "heartbeatIntervalMillis": 2000,
            "heartbeatTimeoutSecs": 10, "electionTimeoutMillis": 10000,
            "catchUpTimeoutMillis": -1, "catchUpTakeoverDelayMillis": 30000,
            "getLastErrorModes": {}, "getLastErrorDefaults": {"w": 1, "wtimeout": 0},
            "replicaSetId": oid("6553f1000000000000000001"),
        },
    }
}

/// The reference's `ok: 0` reply of `rs.initiate()` on an initiated 4.4+ member.
fn ref_ok0() -> Document {
    doc! {
        "info": "try querying local.system.replset to see current configuration",
        "ok": 0.0, "errmsg": "already initialized", "code": 23,
        "codeName": "AlreadyInitialized",
        "$clusterTime": {
            "clusterTime": ts(1_700_000_000, 1),
            "signature": { "hash": bin(BinarySubtype::Generic, &[0; 20]), "keyId": 0i64 },
        },
        "operationTime": ts(1_700_000_000, 1),
    }
}

/// Seed 004's `db.serverCmdLineOpts()` reply, shown in the one-line form.
fn seed004_cmdlineopts() -> Document {
    doc! {
        "argv": ["mongod", "-f", "C:\\data\\rs0_1.conf"],
        "parsed": {
            "config": "C:\\data\\rs0_1.conf", "net": {"port": 40001},
            "replication": {"replSet": "rs0"}, "storage": {"dbPath": "C:\\data\\db\\db_rs0"},
            "systemLog": {"destination": "file", "path": "C:\\data\\db\\db_rs0\\rs0_1.log"},
        },
        "ok": 1.0,
    }
}

fn nested(levels: usize, leaf: Bson, wrap: fn(Bson) -> Bson) -> Bson {
    (0..levels).fold(leaf, |inner, _| wrap(inner))
}

fn ejson_doc() -> Document {
    doc! {
        "_id": oid("65a1b2c3d4e5f60718293a4b"), "n": 5, "l": 7i64, "d": 1.5, "one": 1.0,
        "date": date("2015-12-20T14:59:11.120Z"), "ts": ts(1_450_623_497, 1),
        "bin": bin(BinarySubtype::Generic, &[0x77, 0x3f, 0xad, 0x2d]), "e": {}, "a": [],
        "nan": f64::NAN,
    }
}

const UUID_BYTES: [u8; 16] = [
    0x01, 0x23, 0xab, 0xcd, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
];

fn jan5(hms: &str) -> i64 {
    date(&format!("2026-01-05T{hms}Z")).timestamp_millis()
}

fn cases() -> Vec<(&'static str, String)> {
    let oid1 = oid("65a1b2c3d4e5f60718293a4b");
    let x = |n: usize| "x".repeat(n);
    let sync = |name: &str, state: i32, at: &str| replinfo::MemberSync {
        name: name.into(),
        state,
        state_str: String::new(),
        is_self: state == 1,
        has_optime: true,
        optime_date_ms: Some(jan5(at)),
    };
    vec![
        ("seed002_rs_status", pretty(seed002_rs_status())),
        (
            "seed002_rs_status_arbiter",
            pretty(seed002_rs_status_arbiter()),
        ),
        (
            "seed002_rs_status_failover",
            pretty(seed002_rs_status_failover()),
        ),
        (
            "seed002_initiate_reply",
            pretty(doc! {
                "info": "Config now saved locally.  Should come online in about a minute.", "ok": 1.0,
            }),
        ),
        (
            "seed004_cmdlineopts_one_line",
            one_line(seed004_cmdlineopts()),
        ),
        ("ref_rs_conf", pretty(ref_rs_conf())),
        ("ref_ok0_already_initialized", pretty(ref_ok0())),
        ("collapse_ok", pretty(doc! {"ok": 1.0})),
        (
            "collapse_array",
            pretty(vec![Bson::Double(1.0), 2.0.into(), 3.0.into()]),
        ),
        ("collapse_empty_containers", pretty(doc! {"a": {}, "b": []})),
        (
            "collapse_array_of_docs",
            pretty(vec![Bson::from(doc! {"a": 1.0}), doc! {"b": 2.0}.into()]),
        ),
        ("collapse_nested", pretty(doc! {"a": {"b": 1.0}})),
        ("collapse_length_79", pretty(doc! {"a": x(66)})),
        ("no_collapse_length_80", pretty(doc! {"a": x(67)})),
        ("top_level_empty_object", pretty(doc! {})),
        ("empty_array_pretty", pretty(Bson::Array(vec![]))),
        ("empty_array_one_line", one_line(Bson::Array(vec![]))),
        ("one_line_empty_object", one_line(doc! {})),
        (
            "tojsononeline_quirks",
            print(format::tojsononeline(
                &doc! {"a": 1.0, "b": {"c": [1.0, 2.0]}, "e": {}, "f": []}.into(),
                S,
            )),
        ),
        (
            "tojsononeline_array_of_docs",
            print(format::tojsononeline(&doc! {"x": [{"a": 1.0}]}.into(), S)),
        ),
        (
            "one_line_cursor_doc",
            one_line(doc! {"_id": oid1, "a": {"b": 1.0}, "c": [1.0, 2.0]}),
        ),
        (
            "nested_empty_object_pretty",
            pretty(doc! {
                "_id": "rs0", "settings": {"getLastErrorModes": {}, "chainingAllowed": true},
            }),
        ),
        (
            "nested_stays_multiline",
            pretty(doc! {
                "_id": 0, "name": "srv1:40001", "optime": {"ts": ts(1_700_000_000, 1), "t": 1i64},
                "optimeDate": date("2023-11-14T22:13:20Z"),
            }),
        ),
        (
            "tojson_explicit_nolint_false",
            print(format::tojson_js(
                &doc! {"ok": 1.0}.into(),
                "",
                Some(false),
                S,
            )),
        ),
        (
            "js_numbers",
            one_line(doc! {
                "a": 1.0, "b": 1.5, "c": -0.0, "d": 1e21, "e": 1e-7, "f": 0.1 + 0.2,
            }),
        ),
        (
            "js_numbers_special",
            pretty(vec![
                Bson::Double(f64::NAN),
                f64::INFINITY.into(),
                f64::NEG_INFINITY.into(),
            ]),
        ),
        (
            "server_int32_plain",
            pretty(doc! {"myState": 1, "health": 1.0, "priority": 1}),
        ),
        (
            "number_int_style",
            print(format::pretty(
                &doc! {"n": 5}.into(),
                Style { number_int: true },
            )),
        ),
        (
            "numberlong_limits",
            pretty(vec![
                Bson::Int64(2_147_483_647),
                Bson::Int64(2_147_483_648),
                Bson::Int64(-2_147_483_648),
                Bson::Int64(-2_147_483_647),
                Bson::Int64(0),
            ]),
        ),
        (
            "number_decimal",
            pretty(doc! {"d": Bson::Decimal128(
            "1.5".parse().unwrap_or_else(|e| panic!("{e}")))}),
        ),
        ("iso_date_no_ms", pretty(date("2015-12-20T14:59:11Z"))),
        ("iso_date_ms", pretty(date("2015-12-20T14:59:11.120Z"))),
        ("iso_date_year_padded", pretty(date("0099-01-01T00:00:00Z"))),
        ("iso_date_invalid", pretty(DateTime::from_millis(i64::MAX))),
        ("timestamp", pretty(ts(1_450_623_497, 1))),
        ("object_id", pretty(oid1)),
        (
            "bindata",
            pretty(bin(BinarySubtype::Generic, &[0x77, 0x3f, 0xad, 0x2d])),
        ),
        ("uuid", pretty(bin(BinarySubtype::Uuid, &UUID_BYTES))),
        (
            "bindata_subtype3",
            pretty(bin(BinarySubtype::UuidOld, &UUID_BYTES)),
        ),
        (
            "bindata_subtype4_short",
            pretty(bin(BinarySubtype::Uuid, &[1, 2, 3])),
        ),
        (
            "regex",
            pretty(doc! {"r": Bson::RegularExpression(bson::Regex {
            pattern: "^srv[0-9]+$".into(), options: "i".into() })}),
        ),
        (
            "minkey_maxkey",
            pretty(doc! {"lo": Bson::MinKey, "hi": Bson::MaxKey}),
        ),
        ("minkey_top", pretty(Bson::MinKey)),
        ("dbref", pretty(doc! {"r": {"$ref": "coll", "$id": oid1}})),
        (
            "dbref_with_db",
            pretty(doc! {"$ref": "coll", "$id": 42.0, "$db": "db"}),
        ),
        ("dbpointer", pretty(db_pointer())),
        ("symbol", pretty(doc! {"s": Bson::Symbol("sym".into())})),
        (
            "string_escapes",
            pretty("q\" b\\ \u{8}\u{c}\n\r\t \u{1}\u{1f} é 中"),
        ),
        ("keys_not_escaped", pretty(doc! {"a\"b": 1.0, "c\\d": 2.0})),
        (
            "literals",
            pretty(vec![Bson::Null, Bson::Undefined, true.into(), false.into()]),
        ),
        (
            "javascript_code_raw",
            pretty(doc! {
            "f": Bson::JavaScriptCode("function () { return 1; }".into())}),
        ),
        ("top_level_string", pretty("abc")),
        (
            "depth_limit_object",
            one_line(nested(103, Bson::Int32(1), |b| doc! {"a": b}.into())),
        ),
        (
            "depth_limit_array",
            one_line(nested(103, Bson::Int32(1), |b| Bson::Array(vec![b]))),
        ),
        (
            "ejson_relaxed",
            print(format::ejson::to_ejson(&ejson_doc().into(), false)),
        ),
        (
            "ejson_canonical",
            print(format::ejson::to_ejson(&ejson_doc().into(), true)),
        ),
        (
            "show_dbs",
            format::show_dbs_table(&[
                ("local".into(), 83_886_080.0, false),
                ("admin".into(), 40_960.0, false),
                ("new".into(), 0.0, true),
                ("config".into(), 12_288.0, false),
            ]),
        ),
        (
            "print_replication_info",
            replinfo::replication_info_text(&replinfo::OplogWindow {
                max_size_bytes: 990.0 * 1_048_576.0,
                used_bytes: 0.0,
                first_secs: jan5("10:00:00") as f64 / 1000.0,
                last_secs: jan5("11:00:00") as f64 / 1000.0,
                now_ms: jan5("11:00:05"),
            }),
        ),
        (
            "print_secondary_replication_info",
            replinfo::secondary_replication_info_text(
                &[
                    sync("srv1:40001", 1, "11:00:00"),
                    sync("srv2:40002", 2, "11:00:00"),
                    sync("srv3:40003", 2, "10:59:50"),
                ],
                None,
            )
            .unwrap_or_else(|e| e),
        ),
    ]
}

/// A DBPointer built through its Extended JSON form (its fields are private in bson 2.x).
fn db_pointer() -> Bson {
    let json = serde_json::json!({"$dbPointer": {
        "$ref": "test.coll", "$id": {"$oid": "65a1b2c3d4e5f60718293a4b"}}});
    Bson::try_from(json).unwrap_or_else(|e| panic!("dbpointer: {e}"))
}

/// Shows where two texts first differ, with TABs as `→` and line ends as `¶`.
fn diff(expected: &str, actual: &str) -> String {
    let vis = |s: &str| s.replace('\t', "→").replace('\n', "¶\n");
    let (e, a): (Vec<&str>, Vec<&str>) =
        (expected.split('\n').collect(), actual.split('\n').collect());
    let line = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    format!(
        "first difference at line {}:\n  expected: {:?}\n  actual:   {:?}\n--- expected ---\n{}\n--- actual ---\n{}",
        line + 1,
        e.get(line).map(|s| vis(s)),
        a.get(line).map(|s| vis(s)),
        vis(expected),
        vis(actual)
    )
}

#[test]
fn golden_cases() {
    // SAFETY (of set_var): this test binary has one test, so no other thread reads the
    // environment while it changes. Date.toString text must be UTC for the expected files.
    std::env::set_var("TZ", "UTC");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/format");
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "the golden set must cover at least 40 cases"
    );
    let mut failures = Vec::new();
    for (name, actual) in &cases {
        let path = dir.join(format!("{name}.txt"));
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == *actual => {}
            Ok(expected) => failures.push(format!("case {name}: {}", diff(&expected, actual))),
            Err(e) => failures.push(format!("case {name}: cannot read {}: {e}", path.display())),
        }
    }
    // Every expected file belongs to a case (no forgotten goldens).
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let stem = file.trim_end_matches(".txt");
            if !cases.iter().any(|(n, _)| *n == stem) {
                failures.push(format!("golden file {file} has no case"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
