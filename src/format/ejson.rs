//! Extended JSON v2 for `--json`: relaxed (default) or canonical, laid out like mongosh's
//! `--json` output (JSON.stringify with a 2-space indent: `{}` / `[]` when empty, `"key": value`).
//!
//! Types follow the Extended JSON spec by BSON type. Relaxed mode writes finite doubles and
//! integers as JSON numbers (doubles in JS number form: `1`, not `1.0`) and dates between years
//! 1970 and 9999 as ISO strings with milliseconds.

use bson::{Bson, Document};
use std::fmt::Write as _;

use super::date::iso_string_ms;
use super::decimal::decimal128_string;
use super::number::write_js_number;
use super::strings::write_escaped;
use super::tojson::db_pointer_parts;

/// Extended JSON text of `v`, pretty-printed with 2-space indentation.
pub fn to_ejson(v: &Bson, canonical: bool) -> String {
    let mut out = String::new();
    write_ejson(&mut out, v, canonical);
    out
}

/// Appends [`to_ejson`] text to `out`.
pub fn write_ejson(out: &mut String, v: &Bson, canonical: bool) {
    let mut w = EjsonWriter { out, canonical };
    w.value(v, 0);
}

struct EjsonWriter<'o> {
    out: &'o mut String,
    canonical: bool,
}

/// A small `{ "k": … }` wrapper body: pairs written in order on their own lines.
enum Part<'a> {
    Str(&'a str),
    Raw(String),
    /// written unquoted (a JSON number)
    Num(String),
    Doc(Vec<(&'a str, Part<'a>)>),
    Value(&'a Bson),
}

impl EjsonWriter<'_> {
    fn newline(&mut self, level: usize) {
        self.out.push('\n');
        for _ in 0..level {
            self.out.push_str("  ");
        }
    }

    fn value(&mut self, v: &Bson, level: usize) {
        match v {
            Bson::Document(d) => self.document(d, level),
            Bson::Array(a) => {
                if a.is_empty() {
                    self.out.push_str("[]");
                    return;
                }
                self.out.push('[');
                for (i, e) in a.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(level + 1);
                    self.value(e, level + 1);
                }
                self.newline(level);
                self.out.push(']');
            }
            Bson::Null => self.out.push_str("null"),
            Bson::Boolean(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Bson::String(s) => write_escaped(self.out, s),
            Bson::Double(f) => {
                if !self.canonical && f.is_finite() {
                    write_js_number(self.out, *f);
                } else {
                    let text = canonical_double(*f);
                    self.wrapper(&[("$numberDouble", Part::Raw(text))], level);
                }
            }
            Bson::Int32(n) => {
                if self.canonical {
                    self.wrapper(&[("$numberInt", Part::Raw(n.to_string()))], level);
                } else {
                    let _ = write!(self.out, "{n}");
                }
            }
            Bson::Int64(n) => {
                if self.canonical {
                    self.wrapper(&[("$numberLong", Part::Raw(n.to_string()))], level);
                } else {
                    let _ = write!(self.out, "{n}");
                }
            }
            Bson::Decimal128(d) => {
                let text = decimal128_string(d.bytes());
                self.wrapper(&[("$numberDecimal", Part::Raw(text))], level);
            }
            Bson::ObjectId(oid) => {
                self.wrapper(&[("$oid", Part::Raw(oid.to_hex()))], level);
            }
            Bson::DateTime(dt) => {
                let ms = dt.timestamp_millis();
                let relaxed_iso = if self.canonical {
                    None
                } else {
                    // Relaxed form only for years 1970..=9999, as the spec says.
                    iso_string_ms(ms).filter(|_| (0..=253_402_300_799_999).contains(&ms))
                };
                match relaxed_iso {
                    Some(iso) => self.wrapper(&[("$date", Part::Raw(iso))], level),
                    None => self.wrapper(
                        &[(
                            "$date",
                            Part::Doc(vec![("$numberLong", Part::Raw(ms.to_string()))]),
                        )],
                        level,
                    ),
                }
            }
            Bson::Timestamp(ts) => self.wrapper(
                &[(
                    "$timestamp",
                    Part::Doc(vec![
                        ("t", Part::Num(ts.time.to_string())),
                        ("i", Part::Num(ts.increment.to_string())),
                    ]),
                )],
                level,
            ),
            Bson::Binary(bin) => {
                use base64::Engine as _;
                let b64 = base64::engine::general_purpose::STANDARD.encode(&bin.bytes);
                let sub = format!("{:02x}", u8::from(bin.subtype));
                self.wrapper(
                    &[(
                        "$binary",
                        Part::Doc(vec![
                            ("base64", Part::Raw(b64)),
                            ("subType", Part::Raw(sub)),
                        ]),
                    )],
                    level,
                );
            }
            Bson::RegularExpression(re) => self.wrapper(
                &[(
                    "$regularExpression",
                    Part::Doc(vec![
                        ("pattern", Part::Str(&re.pattern)),
                        ("options", Part::Str(&re.options)),
                    ]),
                )],
                level,
            ),
            Bson::JavaScriptCode(code) => self.wrapper(&[("$code", Part::Str(code))], level),
            Bson::JavaScriptCodeWithScope(cws) => {
                let scope = Bson::Document(cws.scope.clone());
                self.wrapper(
                    &[
                        ("$code", Part::Str(&cws.code)),
                        ("$scope", Part::Value(&scope)),
                    ],
                    level,
                );
            }
            Bson::Symbol(s) => self.wrapper(&[("$symbol", Part::Str(s))], level),
            Bson::Undefined => {
                self.wrapper(&[("$undefined", Part::Value(&Bson::Boolean(true)))], level)
            }
            Bson::MinKey => self.wrapper(&[("$minKey", Part::Num("1".into()))], level),
            Bson::MaxKey => self.wrapper(&[("$maxKey", Part::Num("1".into()))], level),
            Bson::DbPointer(_) => {
                let (ns, id) = db_pointer_parts(v);
                self.wrapper(
                    &[(
                        "$dbPointer",
                        Part::Doc(vec![
                            ("$ref", Part::Str(&ns)),
                            ("$id", Part::Doc(vec![("$oid", Part::Raw(id))])),
                        ]),
                    )],
                    level,
                );
            }
        }
    }

    fn document(&mut self, d: &Document, level: usize) {
        if d.is_empty() {
            self.out.push_str("{}");
            return;
        }
        self.out.push('{');
        for (i, (k, v)) in d.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(level + 1);
            write_escaped(self.out, k);
            self.out.push_str(": ");
            self.value(v, level + 1);
        }
        self.newline(level);
        self.out.push('}');
    }

    fn wrapper(&mut self, parts: &[(&str, Part<'_>)], level: usize) {
        self.out.push('{');
        for (i, (k, part)) in parts.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(level + 1);
            write_escaped(self.out, k);
            self.out.push_str(": ");
            match part {
                Part::Str(s) => write_escaped(self.out, s),
                Part::Raw(s) => write_escaped(self.out, s),
                Part::Num(s) => self.out.push_str(s),
                Part::Doc(inner) => self.wrapper(inner, level + 1),
                Part::Value(v) => self.value(v, level + 1),
            }
        }
        self.newline(level);
        self.out.push('}');
    }
}

/// Canonical `$numberDouble` text: `1.0` for integral values, `-0.0`, `Infinity`, `NaN`,
/// otherwise the JS number text.
fn canonical_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let mut s = String::new();
    write_js_number(&mut s, f);
    if f.fract() == 0.0 && !s.contains('e') {
        s.push_str(".0");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn relaxed_and_canonical() {
        let v = Bson::Document(doc! {"ok": 1.0, "n": 5, "l": 7i64, "e": {}, "a": []});
        assert_eq!(
            to_ejson(&v, false),
            "{\n  \"ok\": 1,\n  \"n\": 5,\n  \"l\": 7,\n  \"e\": {},\n  \"a\": []\n}"
        );
        assert_eq!(
            to_ejson(&v, true),
            "{\n  \"ok\": {\n    \"$numberDouble\": \"1.0\"\n  },\n  \"n\": {\n    \"$numberInt\": \"5\"\n  },\n  \"l\": {\n    \"$numberLong\": \"7\"\n  },\n  \"e\": {},\n  \"a\": []\n}"
        );
    }

    #[test]
    fn round_trips_through_bson_parser() {
        let oid = bson::oid::ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").ok();
        let v = Bson::Document(doc! {
            "d": bson::DateTime::from_millis(1_450_623_551_120),
            "old": bson::DateTime::from_millis(-5),
            "ts": bson::Timestamp { time: 1, increment: 2 },
            "oid": oid,
            "inf": f64::INFINITY,
            "x": 1.5,
            "k": "q\"\n",
        });
        for canonical in [false, true] {
            let text = to_ejson(&v, canonical);
            let json: serde_json::Value = match serde_json::from_str(&text) {
                Ok(j) => j,
                Err(e) => panic!("{e}: {text}"),
            };
            let back = match Bson::try_from(json) {
                Ok(b) => b,
                Err(e) => panic!("{e}: {text}"),
            };
            assert_eq!(back, v, "{text}");
        }
    }
}
