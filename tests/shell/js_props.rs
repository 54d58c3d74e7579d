//! Property test: random BSON documents (every type the converter handles, nested) → JS → BSON
//! come back byte-identical (key order and types included), and edited fields keep the BSON
//! types of their untouched neighbours.

use boa_engine::{js_string, JsValue};
use bson::spec::BinarySubtype;
use bson::{Binary, Bson, Decimal128, Document, JavaScriptCodeWithScope, Regex, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use rsh::js::convert::{document_to_js, js_to_document};
use rsh::js::{Runtime, RuntimeOptions};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_$][a-zA-Z0-9_]{0,8}",
        "(0|[1-9][0-9]{0,3})", // integer-like keys, which JS enumerates first
        Just("__proto__".to_string()),
        Just(String::new()),
        "[^\u{0}]{0,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Bson> {
    prop_oneof![
        any::<f64>().prop_map(|f| Bson::Double(if f.is_nan() { f64::NAN } else { f })),
        (-1000i32..1000).prop_map(|i| Bson::Double(i as f64)),
        Just(Bson::Double(-0.0)),
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        ".*".prop_map(Bson::String),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        Just(Bson::Undefined),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        (-8_640_000_000_000_000i64..=8_640_000_000_000_000)
            .prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        any::<i64>().prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Bson::Timestamp(Timestamp { time, increment })),
        (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..20)).prop_map(|(s, bytes)| {
            Bson::Binary(Binary {
                subtype: BinarySubtype::from(s),
                bytes,
            })
        }),
        any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(Decimal128::from_bytes(b))),
        Just(Bson::MinKey),
        Just(Bson::MaxKey),
        (
            "[a-z0-9]{1,6}",
            proptest::sample::subsequence(vec!['i', 'l', 'm', 's', 'u', 'x'], 0..=6)
        )
            .prop_map(|(pattern, opts)| {
                Bson::RegularExpression(Regex {
                    pattern,
                    options: opts.into_iter().collect(),
                })
            }),
        ".{0,10}".prop_map(Bson::JavaScriptCode),
        ".{0,10}".prop_map(Bson::Symbol),
        (".{0,10}", "[a-z]{1,4}", any::<i32>()).prop_map(|(code, k, v)| {
            let mut scope = Document::new();
            scope.insert(k, v);
            Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope { code, scope })
        }),
    ]
}

fn value() -> impl Strategy<Value = Bson> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Bson::Array),
            proptest::collection::vec((key(), inner), 0..6).prop_map(|pairs| {
                let mut d = Document::new();
                for (k, v) in pairs {
                    d.insert(k, v);
                }
                Bson::Document(d)
            }),
        ]
    })
}

fn document() -> impl Strategy<Value = Document> {
    proptest::collection::vec((key(), value()), 0..8).prop_map(|pairs| {
        let mut d = Document::new();
        for (k, v) in pairs {
            d.insert(k, v);
        }
        d
    })
}

fn bytes(d: &Document) -> Vec<u8> {
    let mut out = Vec::new();
    d.to_writer(&mut out).expect("serialise");
    out
}

fn runtime() -> Runtime {
    Runtime::with_output(RuntimeOptions::default(), Box::new(std::io::sink())).expect("runtime")
}

#[test]
fn bson_js_bson_round_trip() {
    let rt = std::cell::RefCell::new(runtime());
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    let result = runner.run(&document(), |doc| {
        let mut rt = rt.borrow_mut();
        let ctx = rt.context();
        let obj = document_to_js(&doc, ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = js_to_document(&JsValue::from(obj), ctx)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            bytes(&back),
            bytes(&doc),
            "\nin:  {:?}\nout: {:?}",
            doc,
            back
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Convert `doc`, bind it to global `name`, run `code`, convert the global back.
fn edit(rt: &mut Runtime, doc: &Document, name: &str, code: &str) -> Document {
    let ctx = rt.context();
    let obj = document_to_js(doc, ctx).expect("to js");
    ctx.global_object()
        .set(js_string!(name), obj, true, ctx)
        .expect("bind global");
    rt.eval(code, "(test)").expect("edit code runs");
    let ctx = rt.context();
    let v = ctx
        .global_object()
        .get(js_string!(name), ctx)
        .expect("global");
    js_to_document(&v, ctx).expect("to bson")
}

#[test]
fn reconfig_keeps_untouched_types() {
    let mut rt = runtime();
    let member = |id: i32, host: &str| {
        bson::doc! {
            "_id": id, "host": host, "arbiterOnly": false, "priority": 1.0,
            "tags": {}, "secondaryDelaySecs": 0i64, "votes": 1,
        }
    };
    let cfg = bson::doc! {
        "_id": "rs0", "version": 1, "term": 1i64,
        "members": [member(0, "a:1"), member(1, "b:2")],
        "protocolVersion": 1i64,
        "settings": { "heartbeatTimeoutSecs": 10, "electionTimeoutMillis": 10000.0 },
    };
    let out = edit(&mut rt, &cfg, "cfg", "cfg.members[1].priority = 0; cfg.version++; cfg.members.push({_id: 2, host: 'c:3', priority: 2})");
    let members = out.get_array("members").expect("members");
    let m0 = members[0].as_document().expect("doc");
    let m1 = members[1].as_document().expect("doc");
    let m2 = members[2].as_document().expect("doc");
    assert_eq!(m0.get("priority"), Some(&Bson::Double(1.0)));
    assert_eq!(
        m1.get("priority"),
        Some(&Bson::Double(0.0)),
        "edited double stays double"
    );
    assert_eq!(m1.get("secondaryDelaySecs"), Some(&Bson::Int64(0)));
    assert_eq!(m1.get("votes"), Some(&Bson::Int32(1)));
    assert_eq!(
        m2.get("priority"),
        Some(&Bson::Double(2.0)),
        "a new JS number is a double, as the legacy shell sends it"
    );
    assert_eq!(out.get("version"), Some(&Bson::Int32(2)));
    assert_eq!(out.get("term"), Some(&Bson::Int64(1)));
    let settings = out.get_document("settings").expect("settings");
    assert_eq!(
        settings.get("electionTimeoutMillis"),
        Some(&Bson::Double(10000.0))
    );
    assert_eq!(settings.get("heartbeatTimeoutSecs"), Some(&Bson::Int32(10)));
    // Key order of the untouched parts is the server's.
    let keys: Vec<&String> = out.keys().collect();
    assert_eq!(
        keys,
        [
            "_id",
            "version",
            "term",
            "members",
            "protocolVersion",
            "settings"
        ]
    );
}

#[test]
fn numbers_from_js_literals() {
    let mut rt = runtime();
    let out = edit(
        &mut rt,
        &Document::new(),
        "o",
        "o.a = 1; o.b = 1.5; o.c = 2147483648; o.d = -0; o.e = NumberLong(3); o.f = NumberInt(4); o[2] = 'x'",
    );
    assert_eq!(
        out,
        bson::doc! { "2": "x", "a": 1.0, "b": 1.5, "c": 2147483648.0, "d": -0.0, "e": 3i64, "f": 4 }
    );
    // A JS number is a double (the legacy shell's data semantics); only NumberInt is an int32.
    assert_eq!(out.get("a"), Some(&Bson::Double(1.0)));
    assert!(out.get_f64("d").expect("d").is_sign_negative());
}
