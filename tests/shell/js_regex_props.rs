//! Property test: random regular expressions go JS → BSON → JS → text without change: the BSON
//! pattern is the pattern as written, options are the flags BSON shares with JS, the JS value
//! rebuilt from BSON converts to the same BSON, and printing gives what `String(re)` gives.

use boa_engine::{Context, JsValue, Source};
use bson::{Bson, Regex};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use rsh::js::convert::{bson_to_js, js_to_bson, tojson_value};
use rsh::js::{Runtime, RuntimeOptions};

/// Pieces valid with and without the `u` flag.
fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 ]{1,3}",
        Just("/".to_string()),
        Just(r"\/".to_string()),
        Just(r"\\".to_string()),
        Just(r"\d".to_string()),
        Just(r"\.".to_string()),
        Just("[/]".to_string()),
        Just(r"[\/a-c]".to_string()),
        Just("(x|y)".to_string()),
        Just("^".to_string()),
        Just("$".to_string()),
        Just(".*".to_string()),
        Just("é".to_string()),
        Just(r"\n".to_string()),
    ]
}

fn pattern() -> impl Strategy<Value = String> {
    proptest::collection::vec(atom(), 0..8).prop_map(|v| v.concat())
}

fn flags() -> impl Strategy<Value = String> {
    proptest::sample::subsequence(vec!['d', 'g', 'i', 'm', 's', 'u', 'y'], 0..=7)
        .prop_map(|v| v.into_iter().collect())
}

fn js(ctx: &mut Context, code: &str) -> Result<JsValue, TestCaseError> {
    ctx.eval(Source::from_bytes(code))
        .map_err(|e| TestCaseError::fail(format!("{code}: {e}")))
}

fn text(ctx: &mut Context, v: &JsValue) -> String {
    v.to_string(ctx)
        .map(|s| s.to_std_string_escaped())
        .unwrap_or_default()
}

#[test]
fn regex_js_bson_js_text_round_trip() {
    let rt = std::cell::RefCell::new(
        Runtime::with_output(RuntimeOptions::default(), Box::new(std::io::sink()))
            .expect("runtime"),
    );
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(&(pattern(), flags()), |(p, f)| {
            let mut rt = rt.borrow_mut();
            let ctx = rt.context();
            let quoted = serde_json::to_string(&p).expect("json");
            let re = js(ctx, &format!("new RegExp({quoted}, {f:?})"))?;
            let shared: String = f.chars().filter(|c| "imsu".contains(*c)).collect();
            let b = js_to_bson(&re, ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(
                &b,
                &Bson::RegularExpression(Regex {
                    pattern: p.clone(),
                    options: shared.clone(),
                })
            );
            // Back to JS and to BSON again: nothing gained or lost.
            let back = bson_to_js(&b, ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let b2 = js_to_bson(&back, ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&b2, &b);
            // Printing shows every flag, as String() does, and the literal reads back the same.
            let printed =
                tojson_value(&re, "", None, ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let string = text(ctx, &re);
            prop_assert_eq!(&printed, &string);
            prop_assert!(printed.ends_with(&format!("/{f}")), "{printed}");
            let source = js(ctx, &format!("new RegExp({quoted}).source"))?;
            let source = text(ctx, &source);
            let reread = js(ctx, &format!("({printed}).source"))?;
            prop_assert_eq!(text(ctx, &reread), source);
            Ok(())
        })
        .expect("regex round trip");
}

#[test]
fn server_options_js_lacks_are_kept() {
    let mut rt = Runtime::with_output(RuntimeOptions::default(), Box::new(std::io::sink()))
        .expect("runtime");
    let ctx = rt.context();
    for (pattern, options) in [("a b # c", "ix"), ("x", "mi"), ("a\nb", ""), ("^/v", "sl")] {
        let b = Bson::RegularExpression(Regex {
            pattern: pattern.into(),
            options: options.into(),
        });
        let doc = bson::doc! {"r": b.clone()};
        let js_doc = rsh::js::convert::document_to_js(&doc, ctx).expect("to js");
        let back = rsh::js::convert::js_to_document(&JsValue::from(js_doc), ctx).expect("back");
        assert_eq!(back.get("r"), Some(&b));
    }
}
