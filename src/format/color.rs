//! Optional ANSI colouring of `tojson` output, for `--color` on a terminal with `NO_COLOR`
//! unset. Same layout as the plain writer (the under-80 rule counts visible characters only);
//! the plain path never goes through here.

use bson::Bson;

use super::strings::js_len_below;
use super::tojson::{Ind, Paint, Tok, Writer};
use super::Style;

const RESET: &str = "\x1b[0m";

/// The colour used for each kind of token.
fn code(tok: Tok) -> &'static str {
    match tok {
        Tok::Key => CODES[0],  // blue
        Tok::Str => CODES[1],  // green
        Tok::Num => CODES[2],  // yellow
        Tok::Lit => CODES[3],  // bold
        Tok::Type => CODES[4], // cyan
    }
}

struct Ansi;

impl Paint for Ansi {
    fn begin(&self, out: &mut String, tok: Tok) {
        out.push_str(code(tok));
    }
    fn end(&self, out: &mut String, _tok: Tok) {
        out.push_str(RESET);
    }
    fn short(&self, s: &str) -> bool {
        if !s.contains('\x1b') {
            return js_len_below(s, 80);
        }
        js_len_below(&strip_ansi(s), 80)
    }
}

/// Whether colour should be used: asked for, stdout is a terminal, and `NO_COLOR` is unset
/// (or empty, as no-color.org specifies).
pub fn enabled(requested: bool) -> bool {
    if !requested {
        return false;
    }
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    // SAFETY: isatty only inspects the file descriptor.
    unsafe { libc::isatty(1) == 1 }
}

/// Coloured legacy `tojson(v, indent, nolint)` (same meaning of `nolint` as `format::tojson`).
pub fn tojson(v: &Bson, indent: &str, nolint: bool, style: Style) -> String {
    let mut out = String::new();
    let mut w = Writer {
        out: &mut out,
        style,
        paint: &Ansi,
    };
    w.value(v, Ind::new(indent), nolint.then_some(true), 0);
    out
}

const CODES: [&str; 6] = [
    "\x1b[34m", "\x1b[32m", "\x1b[33m", "\x1b[1m", "\x1b[36m", RESET,
];

/// Removes the colour sequences this module writes (and only those: an ESC that comes from
/// the data, e.g. in a key, stays).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('\x1b') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        match CODES.iter().find(|c| tail.starts_with(**c)) {
            Some(code) => rest = &tail[code.len()..],
            None => {
                out.push('\x1b');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn same_text_once_stripped() {
        let v = Bson::Document(doc! {
            "a": 1, "s": "x", "n": null, "d": bson::DateTime::from_millis(0),
            "long": "y".repeat(70), "arr": [1, {"b": true}],
        });
        for nolint in [false, true] {
            let plain = crate::format::tojson(&v, "", nolint, Style::default());
            let coloured = tojson(&v, "", nolint, Style::default());
            assert!(coloured.contains("\x1b[32m\"x\"\x1b[0m"));
            assert_eq!(strip_ansi(&coloured), plain);
        }
        // A short document still collapses although its escapes make it longer than 80 bytes.
        let short = Bson::Document(doc! {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5});
        assert_eq!(
            strip_ansi(&tojson(&short, "", false, Style::default())),
            "{ \"a\" : 1, \"b\" : 2, \"c\" : 3, \"d\" : 4, \"e\" : 5 }"
        );
    }
}
