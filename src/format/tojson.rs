//! The legacy `tojson` writer: one pass over a `Bson` tree into one `String`.
//!
//! It follows the legacy shell's `tojson` / `tojsonObject` / `Array.tojson` step by step,
//! quirks included: the indent is "popped" by dropping its first character, one-line arrays
//! reset the indent to empty, and the under-80 collapse happens wherever a container is written
//! with an empty indent (only the outermost value in pretty mode, every level in one-line mode).
//! Colour is a type parameter, so the plain path compiles to no colour code at all.

use bson::{spec::BinarySubtype, Bson, Document};
use std::fmt::Write as _;

use super::date::write_iso_date;
use super::decimal::decimal128_string;
use super::number::write_js_number;
use super::strings::{js_len_below, write_escaped, write_regex_source};
use super::Style;

/// Legacy `tojson.MAX_DEPTH`: containers deeper than this print `[Object]` / `[Array]`.
pub const MAX_DEPTH: usize = 100;

/// Kinds of output tokens a painter may colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Key,
    Str,
    Num,
    /// null, true, false, undefined
    Lit,
    /// BSON wrapper types: ObjectId(…), ISODate(…), Timestamp(…), BinData(…), …
    Type,
}

/// Decorates tokens (colour). The default methods do nothing and cost nothing.
pub(crate) trait Paint {
    /// Decorates `out[start..]`, the text of one token of kind `tok` just written.
    #[inline(always)]
    fn token(&self, _out: &mut String, _start: usize, _tok: Tok) {}
    /// Whether `s` is shorter than 80 JS characters, ignoring decorations.
    #[inline(always)]
    fn short(&self, s: &str) -> bool {
        js_len_below(s, 80)
    }
}

/// No decoration: the legacy bytes.
pub(crate) struct Plain;
impl Paint for Plain {}

/// An indent string `base` + `tabs` TABs, kept without allocating.
#[derive(Clone, Copy)]
pub(crate) struct Ind<'a> {
    base: &'a str,
    tabs: usize,
}

impl<'a> Ind<'a> {
    pub(crate) const EMPTY: Ind<'static> = Ind { base: "", tabs: 0 };

    pub(crate) fn new(base: &'a str) -> Self {
        Ind { base, tabs: 0 }
    }

    fn is_empty(self) -> bool {
        self.base.is_empty() && self.tabs == 0
    }

    fn deeper(self) -> Self {
        Ind {
            base: self.base,
            tabs: self.tabs + 1,
        }
    }

    /// JS `indent.substring(1)`: drops the first character.
    fn pop_first(self) -> Self {
        match self.base.chars().next() {
            Some(c) => Ind {
                base: &self.base[c.len_utf8()..],
                tabs: self.tabs,
            },
            None => Ind {
                base: "",
                tabs: self.tabs.saturating_sub(1),
            },
        }
    }

    fn write(self, out: &mut String) {
        const TABS: &str = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
        out.push_str(self.base);
        let mut n = self.tabs;
        while n > 0 {
            let k = n.min(TABS.len());
            out.push_str(&TABS[..k]);
            n -= k;
        }
    }
}

/// `nolint` as the legacy function sees it: `None` = not given (pretty, collapse allowed),
/// `Some(false)` = explicitly pretty (never collapsed), `Some(true)` = one line.
pub(crate) type Nolint = Option<bool>;

pub(crate) struct Writer<'o, P: Paint> {
    pub out: &'o mut String,
    pub style: Style,
    pub paint: &'o P,
}

impl<P: Paint> Writer<'_, P> {
    fn tok(&mut self, tok: Tok, text: &str) {
        self.painted(tok, |out| out.push_str(text));
    }

    /// One token: `write` appends its text, then the painter decorates it.
    fn painted(&mut self, tok: Tok, write: impl FnOnce(&mut String)) {
        let start = self.out.len();
        write(self.out);
        self.paint.token(self.out, start, tok);
    }

    /// Legacy `tojson(v, indent, nolint, depth)`.
    pub fn value(&mut self, v: &Bson, ind: Ind<'_>, nolint: Nolint, depth: usize) {
        match v {
            Bson::Document(d) => {
                let start = self.out.len();
                if is_dbref(d) {
                    self.dbref(d);
                } else {
                    self.object(d, ind, nolint, depth);
                }
                self.maybe_collapse(start, ind, nolint);
            }
            Bson::Array(a) => {
                let start = self.out.len();
                self.array(a, ind, nolint, depth);
                self.maybe_collapse(start, ind, nolint);
            }
            _ => self.scalar(v),
        }
    }

    /// The under-80 rule: a container written with an empty indent (and `nolint` not
    /// explicitly false) whose text is shorter than 80 has its TAB/CR/LF runs made one space.
    fn maybe_collapse(&mut self, start: usize, ind: Ind<'_>, nolint: Nolint) {
        if nolint == Some(false) || !ind.is_empty() {
            return;
        }
        let seg = &self.out[start..];
        if !self.paint.short(seg) || !seg.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n')) {
            return;
        }
        let mut collapsed = String::with_capacity(seg.len());
        let mut in_run = false;
        for c in seg.chars() {
            if matches!(c, '\t' | '\r' | '\n') {
                if !in_run {
                    collapsed.push(' ');
                }
                in_run = true;
            } else {
                collapsed.push(c);
                in_run = false;
            }
        }
        self.out.truncate(start);
        self.out.push_str(&collapsed);
    }

    fn object(&mut self, d: &Document, ind: Ind<'_>, nolint: Nolint, depth: usize) {
        if depth > MAX_DEPTH {
            self.out.push_str("[Object]");
            return;
        }
        let one_line = nolint == Some(true);
        let le = if one_line { ' ' } else { '\n' };
        let child = if one_line { ind } else { ind.deeper() };
        self.out.push('{');
        self.out.push(le);
        if d.is_empty() {
            child.write(self.out);
        }
        for (i, (k, v)) in d.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
                self.out.push(le);
            }
            child.write(self.out);
            self.painted(Tok::Key, |out| {
                out.push('"');
                out.push_str(k); // keys are never escaped
                out.push('"');
            });
            self.out.push_str(" : ");
            self.value(v, child, nolint, depth + 1);
        }
        self.out.push(le);
        child.pop_first().write(self.out);
        self.out.push('}');
    }

    fn array(&mut self, a: &[Bson], ind: Ind<'_>, nolint: Nolint, depth: usize) {
        if depth > MAX_DEPTH {
            self.out.push_str("[Array]");
            return;
        }
        if a.is_empty() {
            self.out.push_str("[ ]");
            return;
        }
        let one_line = nolint == Some(true);
        let sep = if one_line { ' ' } else { '\n' };
        // One-line arrays reset the indent to empty (so tojsononeline's extra space stops here).
        let child = if one_line { Ind::EMPTY } else { ind.deeper() };
        self.out.push('[');
        self.out.push(sep);
        for (i, v) in a.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
                self.out.push(sep);
            }
            child.write(self.out);
            self.value(v, child, nolint, depth + 1);
        }
        self.out.push(sep);
        if !one_line {
            child.pop_first().write(self.out);
        }
        self.out.push(']');
    }

    /// `DBRef(<tojson($ref)>, <tojson($id)>[, <tojson($db)>])`: the parts are formatted by a
    /// fresh top-level `tojson` call, as the legacy `DBRef.prototype.toString` does.
    fn dbref(&mut self, d: &Document) {
        self.tok(Tok::Type, "DBRef(");
        let fresh = |w: &mut Self, v: &Bson| w.value(v, Ind::EMPTY, None, 0);
        if let Some(r) = d.get("$ref") {
            fresh(self, r);
        }
        self.out.push_str(", ");
        if let Some(id) = d.get("$id") {
            fresh(self, id);
        }
        if let Some(db) = d.get("$db").filter(|v| js_truthy(v)) {
            self.out.push_str(", ");
            fresh(self, db);
        }
        self.tok(Tok::Type, ")");
    }

    fn scalar(&mut self, v: &Bson) {
        match v {
            Bson::Double(f) => self.painted(Tok::Num, |out| write_js_number(out, *f)),
            Bson::Int32(n) => {
                let number_int = self.style.number_int;
                self.painted(Tok::Num, |out| {
                    if number_int {
                        let _ = write!(out, "NumberInt({n})");
                    } else {
                        let _ = write!(out, "{n}");
                    }
                });
            }
            Bson::Int64(n) => {
                self.painted(Tok::Num, |out| {
                    // Quoted from 2^31 in magnitude, -2^31 included (legacy NumberLong toString).
                    if *n <= -(1i64 << 31) || *n >= 1i64 << 31 {
                        let _ = write!(out, "NumberLong(\"{n}\")");
                    } else {
                        let _ = write!(out, "NumberLong({n})");
                    }
                });
            }
            Bson::String(s) | Bson::Symbol(s) => {
                self.painted(Tok::Str, |out| write_escaped(out, s))
            }
            Bson::Boolean(b) => self.tok(Tok::Lit, if *b { "true" } else { "false" }),
            Bson::Null => self.tok(Tok::Lit, "null"),
            Bson::Undefined => self.tok(Tok::Lit, "undefined"),
            Bson::JavaScriptCode(code) => self.out.push_str(code),
            Bson::JavaScriptCodeWithScope(cws) => self.out.push_str(&cws.code),
            Bson::ObjectId(oid) => {
                self.painted(Tok::Type, |out| {
                    out.push_str("ObjectId(\"");
                    write_hex(out, &oid.bytes());
                    out.push_str("\")");
                });
            }
            Bson::DateTime(dt) => {
                self.painted(Tok::Type, |out| write_iso_date(out, dt.timestamp_millis()))
            }
            Bson::Timestamp(ts) => self.painted(Tok::Type, |out| {
                let _ = write!(out, "Timestamp({}, {})", ts.time, ts.increment);
            }),
            Bson::Binary(bin) => {
                self.painted(Tok::Type, |out| write_bindata(out, bin.subtype, &bin.bytes))
            }
            Bson::Decimal128(d) => {
                self.painted(Tok::Type, |out| {
                    out.push_str("NumberDecimal(\"");
                    out.push_str(&decimal128_string(d.bytes()));
                    out.push_str("\")");
                });
            }
            Bson::RegularExpression(re) => {
                self.painted(Tok::Type, |out| {
                    out.push('/');
                    write_regex_source(out, &re.pattern);
                    out.push('/');
                    out.push_str(&re.options);
                });
            }
            Bson::MinKey => self.tok(Tok::Type, "{ \"$minKey\" : 1 }"),
            Bson::MaxKey => self.tok(Tok::Type, "{ \"$maxKey\" : 1 }"),
            Bson::DbPointer(_) => {
                let (ns, id) = db_pointer_parts(v);
                self.painted(Tok::Type, |out| {
                    out.push_str("DBPointer(");
                    write_escaped(out, &ns);
                    out.push_str(", ObjectId(\"");
                    out.push_str(&id);
                    out.push_str("\"))");
                });
            }
            // Containers are handled by `value`; reaching here means a caller bypassed it.
            Bson::Document(_) | Bson::Array(_) => self.value(v, Ind::EMPTY, None, 0),
        }
    }
}

/// A sub-document is shown as a DBRef when its first key is `$ref` and its second `$id`.
pub(crate) fn is_dbref(d: &Document) -> bool {
    let mut keys = d.keys();
    keys.next().map(String::as_str) == Some("$ref")
        && keys.next().map(String::as_str) == Some("$id")
}

/// JS truthiness of the value the shell would build from `v`.
fn js_truthy(v: &Bson) -> bool {
    match v {
        Bson::Null | Bson::Undefined => false,
        Bson::Boolean(b) => *b,
        Bson::String(s) => !s.is_empty(),
        Bson::Double(f) => *f != 0.0 && !f.is_nan(),
        Bson::Int32(n) => *n != 0,
        _ => true, // objects (NumberLong included) are truthy
    }
}

fn write_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
}

/// `BinData(<subtype>,"<base64>")`, or `UUID("…")` for a 16-byte subtype 4 value.
fn write_bindata(out: &mut String, subtype: BinarySubtype, bytes: &[u8]) {
    use base64::Engine as _;
    if subtype == BinarySubtype::Uuid && bytes.len() == 16 {
        out.push_str("UUID(\"");
        for (i, chunk) in [
            &bytes[0..4],
            &bytes[4..6],
            &bytes[6..8],
            &bytes[8..10],
            &bytes[10..16],
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                out.push('-');
            }
            write_hex(out, chunk);
        }
        out.push_str("\")");
        return;
    }
    let _ = write!(out, "BinData({},\"", u8::from(subtype));
    base64::engine::general_purpose::STANDARD.encode_string(bytes, out);
    out.push_str("\")");
}

/// The namespace and ObjectId hex of a DBPointer (its fields are private in bson 2.x; its
/// Extended JSON form exposes them).
pub(crate) fn db_pointer_parts(v: &Bson) -> (String, String) {
    let json = v.clone().into_canonical_extjson();
    let body = &json["$dbPointer"];
    let ns = body["$ref"].as_str().unwrap_or_default().to_string();
    let id = body["$id"]["$oid"].as_str().unwrap_or_default().to_string();
    (ns, id)
}
