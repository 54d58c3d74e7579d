//! Property tests of the formatting layer: arbitrary nested BSON values (every type, odd
//! strings, extreme numbers and dates) always format in every mode without panicking, and the
//! outputs keep their invariants (one-line text has no line breaks, Extended JSON parses back,
//! numbers and dates read back to the same value).

use bson::{oid::ObjectId, spec::BinarySubtype, Binary, Bson, DateTime, Decimal128, Document};
use proptest::prelude::*;
use rsh::format::{self, Style};

/// Strings mixing ASCII, control characters, quotes, backslashes, non-ASCII and astral chars.
fn weird_string() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(String::from),
            prop::sample::select(vec![
                '"', '\\', '\n', '\t', '\r', '\u{0}', '\u{1f}', '\u{2028}', 'é', '𝄞', '$', '/'
            ])
            .prop_map(String::from),
            "[a-z]",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// Text without TAB/CR/LF, for the parts the legacy shell writes raw (keys, code, regex).
fn flat_string() -> impl Strategy<Value = String> {
    weird_string().prop_map(|s| s.replace(['\t', '\r', '\n'], "_"))
}

/// Keys that Extended JSON parsers will not mistake for type wrappers.
fn plain_key() -> impl Strategy<Value = String> {
    flat_string().prop_map(|s| format!("k{}", s.replace('\0', "")))
}

fn extreme_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            1e21,
            1e-7,
            1e-6,
            1e20,
            0.1,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
        ]),
    ]
}

fn extreme_millis() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -8_640_000_000_000_001i64..8_640_000_000_000_001i64,
        prop::sample::select(vec![
            0,
            -1,
            1,
            i64::MIN,
            i64::MAX,
            -62_167_219_200_000,
            253_402_300_800_000
        ]),
    ]
}

fn regex_options() -> impl Strategy<Value = String> {
    prop::sample::subsequence(vec!['i', 'l', 'm', 's', 'u', 'x'], 0..=6)
        .prop_map(|v| v.into_iter().collect())
}

fn leaf(key: BoxedStrategy<String>) -> impl Strategy<Value = Bson> {
    prop_oneof![
        extreme_f64().prop_map(Bson::Double),
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        weird_string().prop_map(Bson::String),
        weird_string().prop_map(Bson::Symbol),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        Just(Bson::Undefined),
        Just(Bson::MinKey),
        Just(Bson::MaxKey),
        flat_string().prop_map(Bson::JavaScriptCode),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(ObjectId::from_bytes(b))),
        extreme_millis().prop_map(|ms| Bson::DateTime(DateTime::from_millis(ms))),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
        (
            prop::sample::select(vec![0u8, 1, 2, 3, 4, 5, 6, 7, 0x80, 0xff]),
            prop::collection::vec(any::<u8>(), 0..20)
        )
            .prop_map(|(st, bytes)| Bson::Binary(Binary {
                subtype: BinarySubtype::from(st),
                bytes
            })),
        prop::collection::vec(any::<u8>(), 16).prop_map(|bytes| Bson::Binary(Binary {
            subtype: BinarySubtype::Uuid,
            bytes
        })),
        any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(Decimal128::from_bytes(b))),
        (flat_string(), regex_options()).prop_map(|(pattern, options)| {
            Bson::RegularExpression(bson::Regex { pattern, options })
        }),
        (key.clone(), leaf_scalar()).prop_map(|(k, v)| {
            // A DBRef-shaped sub-document.
            let mut d = Document::new();
            d.insert("$ref", k);
            d.insert("$id", v);
            Bson::Document(d)
        }),
    ]
}

fn leaf_scalar() -> impl Strategy<Value = Bson> {
    prop_oneof![
        any::<i32>().prop_map(Bson::Int32),
        extreme_f64().prop_map(Bson::Double),
        weird_string().prop_map(Bson::String),
    ]
}

/// Nested documents and arrays over all leaf types, with keys from `key`.
fn arb_bson_with(key: BoxedStrategy<String>) -> impl Strategy<Value = Bson> {
    leaf(key.clone()).prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Bson::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|fields| { Bson::Document(fields.into_iter().collect::<Document>()) }),
        ]
    })
}

fn arb_bson() -> impl Strategy<Value = Bson> {
    arb_bson_with(weird_string().boxed())
}

/// Like `arb_bson`, but keys hold no line breaks or TABs.
fn arb_bson_flat_keys() -> impl Strategy<Value = Bson> {
    arb_bson_with(flat_string().boxed())
}

fn all_styles() -> [Style; 2] {
    [Style { number_int: false }, Style { number_int: true }]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_mode_formats_without_panic(v in arb_bson(), indent in "[ \t]{0,3}") {
        for style in all_styles() {
            let _ = format::pretty(&v, style);
            let _ = format::one_line(&v, style);
            let _ = format::tojsononeline(&v, style);
            let _ = format::tojson(&v, &indent, false, style);
            let _ = format::tojson_js(&v, &indent, Some(false), style);
            let _ = format::color::tojson(&v, "", false, style);
        }
        let _ = format::ejson::to_ejson(&v, false);
        let _ = format::ejson::to_ejson(&v, true);
    }

    #[test]
    fn one_line_forms_have_no_line_breaks(v in arb_bson_flat_keys()) {
        for text in [format::one_line(&v, Style::default()), format::tojsononeline(&v, Style::default())] {
            prop_assert!(!text.contains('\n') && !text.contains('\t'), "{:?}", text);
        }
    }

    #[test]
    fn pretty_is_the_multiline_form_collapsed_under_80(v in arb_bson_flat_keys()) {
        let multi = format::tojson_js(&v, "", Some(false), Style::default());
        let pretty = format::pretty(&v, Style::default());
        if matches!(v, Bson::Document(_) | Bson::Array(_)) && format::js_len(&multi) < 80 {
            let mut collapsed = String::new();
            let mut in_run = false;
            for c in multi.chars() {
                let ws = matches!(c, '\t' | '\r' | '\n');
                if !ws { collapsed.push(c); } else if !in_run { collapsed.push(' '); }
                in_run = ws;
            }
            prop_assert_eq!(pretty, collapsed);
        } else {
            prop_assert_eq!(pretty, multi);
        }
    }

    #[test]
    fn colour_strips_to_the_plain_text(v in arb_bson_flat_keys()) {
        let plain = format::pretty(&v, Style::default());
        prop_assume!(!plain.contains('\x1b')); // an ESC in a key is written raw
        let coloured = format::color::tojson(&v, "", false, Style::default());
        prop_assert_eq!(format::color::strip_ansi(&coloured), plain);
    }

    #[test]
    fn canonical_ejson_is_stable_through_a_parser(
        fields in prop::collection::vec((plain_key(), arb_bson_with(plain_key().boxed())), 0..6)
    ) {
        // Only plain keys: a user key like "$oid" would be read back as a type wrapper.
        let v = Bson::Document(fields.into_iter().collect::<Document>());
        let text = format::ejson::to_ejson(&v, true);
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        let back = Bson::try_from(json).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(format::ejson::to_ejson(&back, true), text);
        let relaxed = format::ejson::to_ejson(&v, false);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&relaxed).is_ok(), "{}", relaxed);
    }

    #[test]
    fn js_number_reads_back(f in extreme_f64()) {
        let s = format::js_number(f);
        if f.is_finite() {
            let back: f64 = s.parse().map_err(|e| TestCaseError::fail(format!("{e}: {s}")))?;
            prop_assert_eq!(back, f);
            let plain = f == 0.0 || (1e-6 <= f.abs() && f.abs() < 1e21);
            prop_assert_eq!(!s.contains('e'), plain, "{}", s);
        }
    }

    #[test]
    fn iso_date_reads_back(ms in -62_167_219_200_000i64..253_402_300_800_000i64) {
        let s = format::iso_date(ms);
        let inner = &s["ISODate(\"".len()..s.len() - 2];
        let back = DateTime::parse_rfc3339_str(inner)
            .map_err(|e| TestCaseError::fail(format!("{e}: {s}")))?;
        prop_assert_eq!(back.timestamp_millis(), ms);
    }

    #[test]
    fn dates_of_any_range_never_panic(ms in extreme_millis()) {
        let _ = format::iso_date(ms);
        let _ = format::js_date_to_string(ms);
    }

    #[test]
    fn escaped_strings_are_json(s in weird_string()) {
        let e = format::escape_string(&s);
        let back: String = serde_json::from_str(&e).map_err(|err| TestCaseError::fail(format!("{err}: {e}")))?;
        prop_assert_eq!(back, s);
    }

    #[test]
    fn decimal_text_is_canonical(b in any::<[u8; 16]>()) {
        let s = format::decimal128_string(b);
        let parsed: Decimal128 = s.parse().map_err(|e| TestCaseError::fail(format!("{e:?}: {s}")))?;
        prop_assert_eq!(format::decimal128_string(parsed.bytes()), s);
    }
}

#[test]
fn very_deep_values_stop_at_the_depth_limit() {
    let mut v = Bson::Int32(1);
    for i in 0..300 {
        v = if i % 2 == 0 {
            Bson::Array(vec![v])
        } else {
            bson::doc! {"a": v}.into()
        };
    }
    let text = format::pretty(&v, Style::default());
    assert!(text.contains("[Object]") || text.contains("[Array]"));
    assert!(!format::one_line(&v, Style::default()).contains('\n'));
}

/// Prints how long formatting 10k server-like documents takes (no assertion on time).
/// Run: `cargo test --release --test format_props -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_format_10k_documents() {
    let member = bson::doc! {
        "_id": 1, "name": "127.0.0.1:27017", "health": 1.0, "state": 1, "stateStr": "PRIMARY",
        "optime": {"ts": bson::Timestamp { time: 1_450_623_497, increment: 1 }, "t": 5i64},
        "optimeDate": DateTime::from_millis(1_450_623_551_120), "tags": {"dc": "east"},
        "ids": [ObjectId::from_bytes([7; 12]), ObjectId::from_bytes([9; 12])], "n": 0.1,
    };
    let docs: Vec<Bson> = (0..10_000)
        .map(|_| Bson::Document(member.clone()))
        .collect();
    for (mode, nolint) in [("one-line", true), ("pretty", false)] {
        let start = std::time::Instant::now();
        let mut out = String::new();
        for d in &docs {
            format::write_tojson(&mut out, d, "", nolint, Style::default());
            out.push('\n');
        }
        println!(
            "{mode}: 10k documents, {} bytes, {:?}",
            out.len(),
            start.elapsed()
        );
    }
}
