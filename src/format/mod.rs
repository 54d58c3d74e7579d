//! Output formatting, all in Rust: legacy `tojson` text (byte-identical to the legacy `mongo`
//! shell), the one-line cursor form, `tojsononeline`, and Extended JSON for `--json`.
//!
//! Input is a `bson::Bson` tree. Conventions for values that only exist on the JS side
//! (the js layer builds them when it converts a JS value for printing):
//! * `Bson::Double` is a JS number (printed with ECMAScript Number-to-String: `1`, `1.5`, `1e+21`).
//! * `Bson::Int32` prints as a plain number for server data, or as `NumberInt(n)` when
//!   `Style::number_int` is set (values created with `NumberInt()` in JS).
//! * `Bson::JavaScriptCode(text)` is printed raw (function source, `Error.toString()`, the output
//!   of an object's own `tojson()` method).
//! * `Bson::Undefined` prints `undefined`.
//! * `Bson::Symbol` prints as a plain string.
//! * A sub-document whose first key is `$ref` and second `$id` prints as `DBRef(…)`.
//!
//! `nolint`: the legacy function distinguishes "not given" (pretty, with the under-80
//! collapse) from an explicit `false` (pretty, never collapsed). [`tojson`] takes a `bool`
//! where `false` means "not given", which is what printjson, the REPL and `.pretty()` use;
//! [`tojson_js`] takes the three-way value for a JS `tojson(x, indent, false)` call.
//!
//! Files: `tojson` (the writer), `number`, `strings`, `date`, `decimal` (scalar text),
//! `ejson` (`--json`), `color` (ANSI colour), `table` (`show dbs`), `replinfo`
//! (`printReplicationInfo` / `printSecondaryReplicationInfo` text), `startup` (startup
//! warnings and the welcome text).

pub mod color;
mod date;
mod decimal;
pub mod ejson;
mod number;
pub mod replinfo;
pub mod startup;
mod strings;
pub mod table;
mod tojson;

use bson::Bson;

pub use date::{iso_date, js_date_to_string, write_iso_date, JS_DATE_MAX_MS};
pub use decimal::decimal128_string;
pub use number::{js_number, js_round, js_to_fixed, write_js_number};
pub use replinfo::{replication_info_text, secondary_replication_info_text};
pub use strings::{escape_string, first_line, js_len, write_escaped, write_regex_source};
pub use table::show_dbs_table;
pub use tojson::MAX_DEPTH;

/// How JS-side values print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Print `Bson::Int32` as `NumberInt(n)` (values the user made with `NumberInt()`).
    pub number_int: bool,
}

/// Legacy `tojson(v, indent, nolint)`; `nolint == false` means the argument was not given.
pub fn tojson(v: &Bson, indent: &str, nolint: bool, style: Style) -> String {
    let mut out = String::new();
    write_tojson(&mut out, v, indent, nolint, style);
    out
}

/// Appends legacy `tojson(v, indent, nolint)` text to `out`.
pub fn write_tojson(out: &mut String, v: &Bson, indent: &str, nolint: bool, style: Style) {
    write_tojson_js(out, v, indent, nolint.then_some(true), style);
}

/// Legacy `tojson` with the exact three-way `nolint`: `None` (not given), `Some(false)`
/// (explicit pretty: never collapsed to one line), `Some(true)` (one line).
pub fn tojson_js(v: &Bson, indent: &str, nolint: Option<bool>, style: Style) -> String {
    let mut out = String::new();
    write_tojson_js(&mut out, v, indent, nolint, style);
    out
}

/// Appends [`tojson_js`] text to `out`.
pub fn write_tojson_js(
    out: &mut String,
    v: &Bson,
    indent: &str,
    nolint: Option<bool>,
    style: Style,
) {
    let mut w = tojson::Writer {
        out,
        style,
        paint: &tojson::Plain,
    };
    w.value(v, tojson::Ind::new(indent), nolint, 0);
}

/// `printjson` / REPL form: pretty, collapsed to one line when shorter than 80 characters.
pub fn pretty(v: &Bson, style: Style) -> String {
    tojson(v, "", false, style)
}

/// One-line cursor-document form: `tojson(v, "", true)`.
pub fn one_line(v: &Bson, style: Style) -> String {
    tojson(v, "", true, style)
}

/// `tojsononeline(v)`: `tojson(v, " ", true)` (every field gets one extra leading space).
pub fn tojsononeline(v: &Bson, style: Style) -> String {
    tojson(v, " ", true, style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn basic_layouts() {
        let s = Style::default();
        assert_eq!(
            pretty(&Bson::Document(doc! {"ok": 1.0}), s),
            "{ \"ok\" : 1 }"
        );
        assert_eq!(pretty(&Bson::Document(doc! {}), s), "{ }");
        assert_eq!(one_line(&Bson::Document(doc! {}), s), "{  }");
        assert_eq!(
            tojsononeline(
                &Bson::Document(doc! {"a": 1, "b": {"c": [1, 2]}, "e": {}, "f": []}),
                s
            ),
            "{  \"a\" : 1,  \"b\" : {  \"c\" : [ 1, 2 ] },  \"e\" : {   },  \"f\" : [ ] }"
        );
        let v = Bson::Document(doc! {"a": {}});
        assert_eq!(
            tojson_js(&v, "", Some(false), s),
            "{\n\t\"a\" : {\n\t\t\n\t}\n}"
        );
    }
}
