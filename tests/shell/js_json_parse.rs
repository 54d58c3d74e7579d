//! Property tests of rsh's own `JSON.parse`: for random JSON texts (compact and pretty) it
//! yields what serde_json yields, `JSON.stringify` of the result parses back to the same value,
//! and a random one-character edit of a text is refused exactly when serde_json refuses it.
//! Also: nesting far past serde_json's 128 levels parses.

use boa_engine::{js_string, Context, JsValue};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use rsh::js::natives::json::parse;
use rsh::js::{Runtime, RuntimeOptions};

fn runtime() -> Runtime {
    Runtime::with_output(RuntimeOptions::default(), Box::new(std::io::sink())).expect("runtime")
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        (-1000i32..1000).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        "[\"\\\\/\u{0}-\u{1f}\u{7f}-\u{ffff}]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("[a-z0-9_]{0,5}|__proto__|.{0,4}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Equal as JSON values: numbers by their double value, object members in any order. serde_json
/// (without its float_roundtrip feature) may read a long decimal one unit in the last place
/// off, so doubles may differ by that much.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // serde_json (without its float_roundtrip feature) parses floats on a best-effort basis:
        // `3.6229060134950556e+19` and `36229060134950556000`, one number (as JavaScript and
        // Rust's own parser agree), came out a few units in the last place apart.
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) => p == q || (p - q).abs() <= p.abs().max(q.abs()) * 1e-14,
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn utf16(text: &str) -> Vec<u16> {
    text.encode_utf16().collect()
}

/// `JSON.stringify(value)` as Rust text.
fn stringify(value: JsValue, ctx: &mut Context) -> String {
    let json = ctx.intrinsics().objects().json();
    let f = json
        .get(js_string!("stringify"), ctx)
        .expect("stringify")
        .as_callable()
        .expect("callable");
    let text = f
        .call(&json.clone().into(), &[value], ctx)
        .expect("stringify result");
    text.as_string().expect("a string").to_std_string_escaped()
}

#[test]
fn random_json_parses_as_serde_json_does_and_round_trips() {
    let rt = std::cell::RefCell::new(runtime());
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(&(json_value(), any::<bool>()), |(value, pretty)| {
            let text = if pretty {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            }
            .expect("serialize");
            let expected: Value = serde_json::from_str(&text).expect("serde parses its own text");
            let mut rt = rt.borrow_mut();
            let ctx = rt.context();
            let parsed = parse(&utf16(&text), ctx)
                .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            let back = stringify(parsed, ctx);
            let again: Value = serde_json::from_str(&back)
                .map_err(|e| TestCaseError::fail(format!("{back}: {e}")))?;
            prop_assert!(same(&expected, &again), "{text} came back as {back}");
            Ok(())
        })
        .expect("property");
}

#[test]
fn a_random_edit_is_refused_exactly_when_serde_json_refuses_it() {
    let rt = std::cell::RefCell::new(runtime());
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    let edit = (
        json_value(),
        any::<prop::sample::Index>(),
        prop_oneof![
            Just(None),
            proptest::sample::select(vec![
                '{', '}', '[', ']', ',', ':', '"', '\\', '-', '0', '.', 'e', 'x', ' ', '\n', 't',
                'n'
            ])
            .prop_map(Some),
        ],
    );
    runner
        .run(&edit, |(value, at, insert)| {
            let mut chars: Vec<char> = serde_json::to_string(&value)
                .expect("text")
                .chars()
                .collect();
            let i = at.index(chars.len() + 1);
            match insert {
                Some(c) => chars.insert(i, c),
                None if i < chars.len() => {
                    chars.remove(i);
                }
                None => {}
            }
            let text: String = chars.into_iter().collect();
            let serde = serde_json::from_str::<Value>(&text);
            // serde_json refuses doubles out of range and lone surrogates in `\u` escapes;
            // JavaScript reads them as ±Infinity and as the lone code unit.
            if serde.as_ref().is_err_and(|e| {
                let e = e.to_string();
                e.contains("number out of range") || e.contains("surrogate")
            }) {
                return Ok(());
            }
            let ours = parse(&utf16(&text), rt.borrow_mut().context());
            prop_assert_eq!(serde.is_ok(), ours.is_ok(), "{}", text);
            if let Err(e) = ours {
                let msg = e.as_native().map(|n| n.message().to_string());
                let msg = msg.unwrap_or_else(|| e.to_string());
                prop_assert!(
                    msg.starts_with("JSON.parse: ") && msg.ends_with(" of the JSON data"),
                    "{}",
                    msg
                );
            }
            Ok(())
        })
        .expect("property");
}

#[test]
fn nesting_past_serde_json_limit_parses_and_prints() {
    // `JSON.stringify` recurses natively: it needs the stack the shell gives its evaluation
    // thread.
    std::thread::Builder::new()
        .stack_size(rsh::js::budget::THREAD_STACK)
        .spawn(deep_parse_and_print)
        .expect("thread")
        .join()
        .expect("deep nesting");
}

fn deep_parse_and_print() {
    let mut rt = runtime();
    let ctx = rt.context();
    for depth in [128usize, 129, 10_000] {
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let value = parse(&utf16(&text), ctx).expect("deep array");
        assert_eq!(stringify(value, ctx), text);
        let text = format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        let text = text.replacen("{\"a\":}", "{}", 1);
        let value = parse(&utf16(&text), ctx).expect("deep object");
        assert_eq!(stringify(value, ctx), text);
    }
}

#[test]
fn parse_keeps_javascript_semantics() {
    let mut rt = runtime();
    let ctx = rt.context();
    let cases = [
        // The last of repeated names wins, at the first one's place.
        (r#"{"a":1,"b":2,"a":3}"#, r#"{"a":3,"b":2}"#),
        // `__proto__` is an own member, not the prototype.
        (r#"{"__proto__":{"x":1}}"#, r#"{"__proto__":{"x":1}}"#),
        // Integer-like names come first, as in every JavaScript object.
        (r#"{"b":1,"2":2,"1":3}"#, r#"{"1":3,"2":2,"b":1}"#),
        (
            "[1e400,-1e400,-0,0.1,12345678901234567890]",
            "[null,null,0,0.1,12345678901234567000]",
        ),
        (r#""\ud800x\u00e9\/""#, r#""\ud800xé/""#),
        // Doubles read exactly (correctly rounded), printed shortest as JavaScript does.
        (
            "[-2.6719448473629526e+17,5e-324,1.7976931348623157e308,0.30000000000000004]",
            "[-267194484736295260,5e-324,1.7976931348623157e+308,0.30000000000000004]",
        ),
        (" \t\r\n[ ] ", "[]"),
    ];
    for (text, want) in cases {
        let value = parse(&utf16(text), ctx).expect(text);
        assert_eq!(stringify(value, ctx), want, "{text}");
    }
    let proto = parse(&utf16(r#"{"__proto__":{"x":1}}"#), ctx).expect("proto");
    let x = proto
        .as_object()
        .expect("object")
        .get(js_string!("x"), ctx)
        .expect("get");
    assert!(x.is_undefined(), "the prototype was not replaced");
}

#[test]
fn reviver_sees_members_before_holders_and_can_drop_them() {
    let mut rt = runtime();
    let mut out = Vec::new();
    let code = r#"
        var seen = [];
        var v = JSON.parse('{"a":[1,{"b":2}],"c":3,"d":{"e":4}}', function (k, v) {
            seen.push(k);
            if (k === "c") return undefined;
            return typeof v === "number" ? v * 10 : v;
        });
        var deep = JSON.parse("[".repeat(20000) + "]".repeat(20000), function (k, v) { return v });
        var depth = 0; for (var x = deep; Array.isArray(x) && x.length; x = x[0]) depth++;
        var text = '{"a":{"b":1,"2":2,"1":3}}'.repeat(1);
        var keys = []; JSON.parse(text, function (k, v) { keys.push(k); return v });
        [JSON.stringify(v), seen.join(","), depth, keys.join(",")].join(" | ")
    "#;
    let ctx = rt.context();
    let result = ctx
        .eval(boa_engine::Source::from_bytes(code))
        .expect("script");
    out.push(result.as_string().expect("string").to_std_string_escaped());
    assert_eq!(
        out[0],
        r#"{"a":[10,{"b":20}],"d":{"e":40}} | 0,b,1,a,c,e,d, | 19999 | 1,2,b,a,"#
    );
}

#[test]
fn numbers_parse_exactly_in_either_notation() {
    let mut rt = runtime();
    let ctx = rt.context();
    for text in [
        "3.6229060134950556e+19",
        "36229060134950556000",
        "1.7976931348623157e308",
        "5e-324",
        "0.1",
        "9007199254740993",
    ] {
        let v = parse(&utf16(text), ctx).expect("a number");
        let exact: f64 = text.parse().expect("rust parses it");
        assert_eq!(
            v.as_number().map(f64::to_bits),
            Some(exact.to_bits()),
            "{text}"
        );
    }
}
