//! Optional colouring of `tojson` output, for `--color` on a terminal with `NO_COLOR` unset,
//! through the `colored` crate. Same layout as the plain writer (the under-80 rule counts
//! visible characters only); the plain path never goes through here.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::OnceLock;

use bson::Bson;
use colored::{ColoredString, Colorize};

use super::strings::js_len_below;
use super::tojson::{Ind, Paint, Tok, Writer};
use super::Style;

/// Every kind of token, each painted by [`paint`].
const TOKS: [Tok; 5] = [Tok::Key, Tok::Str, Tok::Num, Tok::Lit, Tok::Type];

/// The colour of each kind of token.
fn paint(tok: Tok, text: String) -> ColoredString {
    let text = ColoredString::from(text);
    match tok {
        Tok::Key => text.blue(),
        Tok::Str => text.green(),
        Tok::Num => text.yellow(),
        Tok::Lit => text.bold(),
        Tok::Type => text.cyan(),
    }
}

/// The escape sequences the painter writes (each kind's start and the reset), as `colored`
/// spells them. Whoever asks is colouring, or uncolouring, text the shell decided to colour
/// ([`enabled`]), so this is also where `colored`'s own environment test (CLICOLOR, its tty
/// check) is overridden, once: that decision is rsh's alone.
fn sequences() -> &'static [String] {
    static SEQUENCES: OnceLock<Vec<String>> = OnceLock::new();
    SEQUENCES.get_or_init(|| {
        colored::control::set_override(true);
        let mut seqs = Vec::new();
        for tok in TOKS {
            let marked = paint(tok, "\0".to_string()).to_string();
            if let Some((start, reset)) = marked.split_once('\0') {
                seqs.extend([start.to_string(), reset.to_string()]);
            }
        }
        seqs.retain(|s| !s.is_empty());
        seqs.sort();
        seqs.dedup();
        seqs
    })
}

struct Ansi;

impl Paint for Ansi {
    fn token(&self, out: &mut String, start: usize, tok: Tok) {
        let text = out.split_off(start);
        let _ = write!(out, "{}", paint(tok, text));
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
    requested
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

/// Coloured legacy `tojson(v, indent, nolint)` (same meaning of `nolint` as `format::tojson`).
/// Called only once the shell has decided on colour ([`enabled`]).
pub fn tojson(v: &Bson, indent: &str, nolint: bool, style: Style) -> String {
    sequences(); // `colored` paints from here on, whatever its own reading of the environment.
    let mut out = String::new();
    let mut w = Writer {
        out: &mut out,
        style,
        paint: &Ansi,
    };
    w.value(v, Ind::new(indent), nolint.then_some(true), 0);
    out
}

/// Removes the colour sequences this module writes (and only those: an ESC that comes from
/// the data, e.g. in a key, stays).
pub fn strip_ansi(s: &str) -> String {
    let seqs = sequences();
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('\x1b') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        match seqs.iter().find(|c| tail.starts_with(c.as_str())) {
            Some(seq) => rest = &tail[seq.len()..],
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
