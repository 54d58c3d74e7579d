//! TEMPORARY stand-in for `crate::format` until the format layer lands on main; same names and
//! signatures, crude output. Removed when `crate::format` is available.
#![allow(dead_code)]

use bson::Bson;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    pub number_int: bool,
}

pub fn tojson(v: &Bson, _indent: &str, _nolint: bool, _style: Style) -> String {
    format!("{v}")
}
pub fn tojson_js(v: &Bson, _indent: &str, _nolint: Option<bool>, _style: Style) -> String {
    format!("{v}")
}
pub fn pretty(v: &Bson, s: Style) -> String {
    tojson(v, "", false, s)
}
pub fn one_line(v: &Bson, s: Style) -> String {
    tojson(v, "", true, s)
}
pub fn tojsononeline(v: &Bson, s: Style) -> String {
    tojson(v, " ", true, s)
}
pub fn js_number(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f == f.trunc() && f.abs() < 1e21 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}
pub fn iso_date(ms: i64) -> String {
    format!("ISODate({ms})")
}
pub fn js_date_to_string(ms: i64) -> String {
    format!("Date({ms})")
}
pub fn escape_string(s: &str) -> String {
    format!("{s:?}")
}
pub mod ejson {
    pub fn to_ejson(v: &bson::Bson, canonical: bool) -> String {
        if canonical {
            v.clone().into_canonical_extjson().to_string()
        } else {
            v.clone().into_relaxed_extjson().to_string()
        }
    }
}
