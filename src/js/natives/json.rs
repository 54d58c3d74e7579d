//! `JSON.parse`, replacing the engine's: the engine refuses nesting past 128 levels and parses
//! recursively. This parser keeps its open arrays and objects on a heap stack, so nesting is
//! bounded by memory only (as in the legacy shell and V8), and its syntax errors read as the
//! legacy shell's: `SyntaxError: JSON.parse: unexpected character at line 1 column 8 of the
//! JSON data`. The reviver is applied by an explicit-stack walk as well.

use boa_engine::object::builtins::JsArray;
use boa_engine::object::{FunctionObjectBuilder, JsObject};
use boa_engine::property::PropertyKey;
use boa_engine::{
    js_string, Context, Finalize, JsError, JsNativeError, JsResult, JsString, JsValue,
    NativeFunction, Trace,
};

pub fn register(ctx: &mut Context) -> JsResult<()> {
    let object_ctor = ctx.intrinsics().constructors().object().constructor();
    let keys = object_ctor
        .get(js_string!("keys"), ctx)?
        .as_object()
        .ok_or_else(|| JsNativeError::typ().with_message("Object.keys missing"))?;
    let f = NativeFunction::from_copy_closure_with_captures(
        |_, args, keys, ctx| json_parse(args, &keys.0, ctx),
        ObjectKeys(keys),
    );
    let function = FunctionObjectBuilder::new(ctx.realm(), f)
        .name(js_string!("parse"))
        .length(2)
        .build();
    let json = ctx.intrinsics().objects().json();
    crate::js::args::define_builtin(&json, js_string!("parse"), function, ctx)
}

/// The original `Object.keys` (a script replacing it does not change how revivers walk).
#[derive(Trace, Finalize)]
struct ObjectKeys(JsObject);

fn json_parse(args: &[JsValue], keys: &JsObject, ctx: &mut Context) -> JsResult<JsValue> {
    let text = args.first().cloned().unwrap_or_default().to_string(ctx)?;
    let units: Vec<u16> = text.as_str().iter().collect();
    let value = parse(&units, ctx)?;
    match args.get(1).and_then(JsValue::as_callable) {
        Some(reviver) => revive(value, &reviver, keys, ctx)
            .map_err(|e| crate::js::depth::catchable_limit(e, ctx)),
        None => Ok(value),
    }
}

/// A syntax error at UTF-16 offset `at` of `text`, worded and positioned as in the legacy shell
/// (lines and columns from 1; `\r\n` is one line break).
fn syntax_error(text: &[u16], at: usize, what: &str) -> JsError {
    let (mut line, mut column) = (1usize, 1usize);
    let mut i = 0;
    while i < at.min(text.len()) {
        let c = text[i];
        if c == u16::from(b'\n') || c == u16::from(b'\r') {
            line += 1;
            column = 1;
            if c == u16::from(b'\r') && i + 1 < at && text[i + 1] == u16::from(b'\n') {
                i += 1;
            }
        } else {
            column += 1;
        }
        i += 1;
    }
    JsNativeError::syntax()
        .with_message(format!(
            "JSON.parse: {what} at line {line} column {column} of the JSON data"
        ))
        .into()
}

/// An array or object still open, with what it holds so far.
enum Open {
    Array(Vec<JsValue>),
    /// The object and the key of the member whose value is being read.
    Object(JsObject, JsString),
}

struct Parser<'a> {
    text: &'a [u16],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u16> {
        self.text.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(c) = self.peek() {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn error(&self, what: &str) -> JsError {
        syntax_error(self.text, self.pos, what)
    }

    /// Skip whitespace and take one of `a` or `b`; `at_end` and `other` are the errors for no
    /// character and another character.
    fn expect_either(&mut self, a: u8, b: u8, at_end: &str, other: &str) -> JsResult<u8> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error(at_end)),
            Some(c) if c == u16::from(a) || c == u16::from(b) => {
                self.pos += 1;
                Ok(c as u8)
            }
            Some(_) => Err(self.error(other)),
        }
    }

    /// A string; `pos` is at its opening quote.
    fn string(&mut self) -> JsResult<JsString> {
        self.pos += 1;
        if self.peek().is_none() {
            return Err(self.error("unterminated string literal"));
        }
        let mut out: Vec<u16> = Vec::new();
        let mut escaped = false;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            if c == u16::from(b'"') {
                self.pos += 1;
                return Ok(JsString::from(&out[..]));
            }
            if c < 0x20 {
                // The legacy parser words this differently once an escape was seen.
                return Err(self.error(if escaped {
                    "bad character in string literal"
                } else {
                    "bad control character in string literal"
                }));
            }
            self.pos += 1;
            if c != u16::from(b'\\') {
                out.push(c);
                continue;
            }
            escaped = true;
            let Some(e) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            let unit = match u8::try_from(e).unwrap_or(0) {
                b'"' => 0x22,
                b'/' => 0x2F,
                b'\\' => 0x5C,
                b'b' => 0x08,
                b'f' => 0x0C,
                b'n' => 0x0A,
                b'r' => 0x0D,
                b't' => 0x09,
                b'u' => self.unicode_escape()?,
                _ => {
                    self.pos -= 1;
                    return Err(self.error("bad escaped character"));
                }
            };
            out.push(unit);
        }
    }

    /// The four hex digits after `\u` (a lone surrogate stays as it is).
    fn unicode_escape(&mut self) -> JsResult<u16> {
        let mut unit: u16 = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|c| char::from_u32(u32::from(c)))
                .and_then(|c| c.to_digit(16));
            let Some(d) = digit else {
                return Err(self.error("bad Unicode escape"));
            };
            unit = unit * 16 + d as u16;
            self.pos += 1;
        }
        Ok(unit)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| (0x30..=0x39).contains(&c)) {
            self.pos += 1;
        }
    }

    fn at_digit(&self) -> bool {
        self.peek().is_some_and(|c| (0x30..=0x39).contains(&c))
    }

    /// A number; `pos` is at its `-` or first digit.
    fn number(&mut self) -> JsResult<f64> {
        let start = self.pos;
        if self.peek() == Some(u16::from(b'-')) {
            self.pos += 1;
            if self.peek().is_none() {
                return Err(self.error("no number after minus sign"));
            }
        }
        if !self.at_digit() {
            return Err(self.error("unexpected non-digit"));
        }
        if self.peek() == Some(u16::from(b'0')) {
            self.pos += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some(u16::from(b'.')) {
            self.pos += 1;
            if self.peek().is_none() {
                return Err(self.error("missing digits after decimal point"));
            }
            if !self.at_digit() {
                return Err(self.error("unterminated fractional number"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(0x65 | 0x45)) {
            self.pos += 1;
            if self.peek().is_none() {
                return Err(self.error("missing digits after exponent indicator"));
            }
            if matches!(self.peek(), Some(0x2B | 0x2D)) {
                self.pos += 1;
                if self.peek().is_none() {
                    return Err(self.error("missing digits after exponent sign"));
                }
            }
            if !self.at_digit() {
                return Err(self.error("exponent part is missing a number"));
            }
            self.digits();
        }
        // Only ASCII digits, signs, `.` and `e` were taken: the conversion cannot fail, and
        // Rust's parse rounds correctly (huge exponents give ±Infinity as in JavaScript).
        let literal: String = self.text[start..self.pos]
            .iter()
            .map(|u| char::from(*u as u8))
            .collect();
        Ok(literal.parse::<f64>().unwrap_or(f64::NAN))
    }

    /// `true`, `false` or `null` at `pos`.
    fn keyword(&mut self, word: &str, value: JsValue) -> JsResult<JsValue> {
        let end = self.pos + word.len();
        let matches = self
            .text
            .get(self.pos..end)
            .is_some_and(|s| s.iter().zip(word.bytes()).all(|(a, b)| *a == u16::from(b)));
        if !matches {
            return Err(self.error("unexpected keyword"));
        }
        self.pos = end;
        Ok(value)
    }

    /// After `{` or `,` in an object: a member name and its colon.
    fn member_name(&mut self, first: bool) -> JsResult<Option<JsString>> {
        self.skip_whitespace();
        match self.peek() {
            None if first => Err(self.error("end of data while reading object contents")),
            None => Err(self.error("end of data when property name was expected")),
            Some(0x22) => {
                let key = self.string()?;
                self.expect_either(
                    b':',
                    b':',
                    "end of data after property name when ':' was expected",
                    "expected ':' after property name in object",
                )?;
                Ok(Some(key))
            }
            Some(0x7D) if first => {
                self.pos += 1;
                Ok(None)
            }
            Some(_) if first => Err(self.error("expected property name or '}'")),
            Some(_) => Err(self.error("expected double-quoted property name")),
        }
    }
}

/// Values parsed (or revived) between two looks at the interrupt flag.
const INTERRUPT_EVERY: u32 = 1 << 14;

/// The interrupt error once Ctrl-C was pressed (a context without the shell's host state, as
/// in unit tests, is never interrupted).
fn check_interrupt(ctx: &Context) -> JsResult<()> {
    match ctx.get_data::<crate::js::host::Host>() {
        Some(host) if host.interrupted() => Err(crate::js::host::interrupted_error()),
        _ => Ok(()),
    }
}

/// Parse a JSON text into JavaScript values without recursion.
pub fn parse(text: &[u16], ctx: &mut Context) -> JsResult<JsValue> {
    let mut p = Parser { text, pos: 0 };
    let mut stack: Vec<Open> = Vec::new();
    let mut values = 0u32;
    loop {
        // A long text is not parsed past a Ctrl-C.
        values = values.wrapping_add(1);
        if values.is_multiple_of(INTERRUPT_EVERY) {
            check_interrupt(ctx)?;
        }
        // A value starts here.
        p.skip_whitespace();
        let Some(c) = p.peek() else {
            return Err(p.error("unexpected end of data"));
        };
        let mut value = match c {
            0x22 => JsValue::from(p.string()?),
            0x2D | 0x30..=0x39 => JsValue::from(p.number()?),
            0x74 => p.keyword("true", JsValue::from(true))?,
            0x66 => p.keyword("false", JsValue::from(false))?,
            0x6E => p.keyword("null", JsValue::null())?,
            0x5B => {
                p.pos += 1;
                p.skip_whitespace();
                if p.peek() == Some(0x5D) {
                    p.pos += 1;
                    JsArray::new(ctx)?.into()
                } else {
                    stack.push(Open::Array(Vec::new()));
                    continue;
                }
            }
            0x7B => {
                p.pos += 1;
                match p.member_name(true)? {
                    None => JsObject::with_object_proto(ctx.intrinsics()).into(),
                    Some(key) => {
                        let obj = JsObject::with_object_proto(ctx.intrinsics());
                        stack.push(Open::Object(obj, key));
                        continue;
                    }
                }
            }
            _ => return Err(p.error("unexpected character")),
        };
        // The value is complete: store it in its container, closing containers as they end.
        loop {
            let Some(open) = stack.pop() else {
                p.skip_whitespace();
                if p.peek().is_some() {
                    return Err(p.error("unexpected non-whitespace character after JSON data"));
                }
                return Ok(value);
            };
            match open {
                Open::Array(mut items) => {
                    items.push(value);
                    let next = p.expect_either(
                        b',',
                        b']',
                        "end of data when ',' or ']' was expected",
                        "expected ',' or ']' after array element",
                    )?;
                    if next == b',' {
                        stack.push(Open::Array(items));
                        break;
                    }
                    value = JsArray::from_iter(items, ctx).into();
                }
                Open::Object(obj, key) => {
                    // A repeated name replaces the earlier value; `__proto__` is a plain name.
                    obj.create_data_property_or_throw(key.clone(), value, ctx)?;
                    let next = p.expect_either(
                        b',',
                        b'}',
                        "end of data after property value in object",
                        "expected ',' or '}' after property value in object",
                    )?;
                    if next == b',' {
                        let name = p.member_name(false)?.unwrap_or(key);
                        stack.push(Open::Object(obj, name));
                        break;
                    }
                    value = obj.into();
                }
            }
        }
    }
}

/// One property being revived: its holder, its name, and (once read) its value with the names
/// of the value's own members still to visit.
struct Revive {
    holder: JsObject,
    name: PropertyKey,
    name_text: JsString,
    value: Option<JsValue>,
    members: Vec<(PropertyKey, JsString)>,
    next: usize,
}

impl Revive {
    fn new(holder: JsObject, name: PropertyKey, name_text: JsString) -> Revive {
        Revive {
            holder,
            name,
            name_text,
            value: None,
            members: Vec::new(),
            next: 0,
        }
    }
}

/// The reviver walk of the specification (members first, then the holder's call), with an
/// explicit stack instead of recursion.
fn revive(
    value: JsValue,
    reviver: &JsObject,
    keys: &JsObject,
    ctx: &mut Context,
) -> JsResult<JsValue> {
    let root = JsObject::with_object_proto(ctx.intrinsics());
    root.create_data_property_or_throw(js_string!(""), value, ctx)?;
    let mut stack = vec![Revive::new(root, js_string!("").into(), js_string!(""))];
    let mut steps = 0u32;
    while let Some(mut top) = stack.pop() {
        steps = steps.wrapping_add(1);
        if steps.is_multiple_of(INTERRUPT_EVERY) {
            check_interrupt(ctx)?;
        }
        if top.value.is_none() {
            let value = top.holder.get(top.name.clone(), ctx)?;
            if let Some(obj) = value.as_object() {
                top.members = members(&obj, keys, ctx)?;
            }
            top.value = Some(value);
        }
        let member = top.members.get(top.next).cloned();
        let holder = top.value.as_ref().and_then(JsValue::as_object);
        if let (Some((name, text)), Some(holder)) = (member, holder) {
            top.next += 1;
            stack.push(top);
            stack.push(Revive::new(holder, name, text));
            continue;
        }
        let value = top.value.unwrap_or_default();
        let revived = reviver.call(
            &top.holder.clone().into(),
            &[top.name_text.into(), value],
            ctx,
        )?;
        // The root's call gives the result; any other result goes back into its holder.
        if stack.is_empty() {
            return Ok(revived);
        }
        if revived.is_undefined() {
            // As in the specification, a property that cannot be deleted stays.
            let _ = top.holder.delete_property_or_throw(top.name, ctx);
        } else {
            top.holder.create_data_property(top.name, revived, ctx)?;
        }
    }
    Ok(JsValue::undefined())
}

/// The members a reviver visits in `obj`: every index of an array, else the own enumerable
/// string-keyed names.
fn members(
    obj: &JsObject,
    keys: &JsObject,
    ctx: &mut Context,
) -> JsResult<Vec<(PropertyKey, JsString)>> {
    if obj.is_array() {
        let len = JsArray::from_object(obj.clone())?.length(ctx)?;
        return Ok((0..len)
            .map(|i| (PropertyKey::from(i), JsString::from(i.to_string().as_str())))
            .collect());
    }
    let names = keys.call(&JsValue::undefined(), &[obj.clone().into()], ctx)?;
    let mut out = Vec::new();
    if let Some(names) = names.as_object() {
        let names = JsArray::from_object(names.clone())?;
        for i in 0..names.length(ctx)? {
            let name = names.get(i, ctx)?.to_string(ctx)?;
            out.push((PropertyKey::from(name.clone()), name));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        let mut ctx = Context::default();
        let units: Vec<u16> = text.encode_utf16().collect();
        match parse(&units, &mut ctx) {
            Ok(_) => "ok".to_string(),
            Err(e) => e
                .as_native()
                .map(|n| n.message().to_string())
                .unwrap_or_else(|| e.to_string()),
        }
    }

    #[test]
    fn errors_read_as_the_legacy_shell() {
        let cases = [
            ("", "unexpected end of data at line 1 column 1"),
            (
                "{\"a\":1,}",
                "expected double-quoted property name at line 1 column 8",
            ),
            (
                "[1,2",
                "end of data when ',' or ']' was expected at line 1 column 5",
            ),
            ("[1,]", "unexpected character at line 1 column 4"),
            (
                "{\"a\" 1}",
                "expected ':' after property name in object at line 1 column 6",
            ),
            ("{a:1}", "expected property name or '}' at line 1 column 2"),
            (
                "[1 2]",
                "expected ',' or ']' after array element at line 1 column 4",
            ),
            (
                "{\"a\":1 \"b\"}",
                "expected ',' or '}' after property value in object at line 1 column 8",
            ),
            ("tru", "unexpected keyword at line 1 column 1"),
            (
                "1 2",
                "unexpected non-whitespace character after JSON data at line 1 column 3",
            ),
            ("\"abc", "unterminated string at line 1 column 5"),
            ("\"", "unterminated string literal at line 1 column 2"),
            ("\"\\x\"", "bad escaped character at line 1 column 3"),
            ("\"\\u12g4\"", "bad Unicode escape at line 1 column 6"),
            (
                "\"a\nb\"",
                "bad control character in string literal at line 1 column 3",
            ),
            ("-", "no number after minus sign at line 1 column 2"),
            ("-a", "unexpected non-digit at line 1 column 2"),
            (
                "1.",
                "missing digits after decimal point at line 1 column 3",
            ),
            ("1.e", "unterminated fractional number at line 1 column 3"),
            (
                "1e",
                "missing digits after exponent indicator at line 1 column 3",
            ),
            (
                "1e+",
                "missing digits after exponent sign at line 1 column 4",
            ),
            (
                "1ex",
                "exponent part is missing a number at line 1 column 3",
            ),
            ("[\r\n1,\n}", "unexpected character at line 3 column 1"),
            (
                "{",
                "end of data while reading object contents at line 1 column 2",
            ),
            (
                "{\"a\":1,",
                "end of data when property name was expected at line 1 column 8",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                error_of(text),
                format!("JSON.parse: {want} of the JSON data"),
                "{text:?}"
            );
        }
        assert_eq!(
            error_of(" [1, {\"a\": [true, false, null]}, \"x\", -0.5e3] "),
            "ok"
        );
    }

    #[test]
    fn a_long_parse_stops_at_ctrl_c() {
        let mut ctx = Context::default();
        let host = crate::js::host::Host::new(Default::default(), Box::new(std::io::sink()));
        host.interrupt
            .store(true, std::sync::atomic::Ordering::SeqCst);
        ctx.insert_data(host);
        let text = format!("[{}1]", "1,".repeat(INTERRUPT_EVERY as usize));
        let units: Vec<u16> = text.encode_utf16().collect();
        let err = parse(&units, &mut ctx).expect_err("interrupted");
        assert!(crate::js::host::is_interrupt(&err), "{err}");
        let short: Vec<u16> = "[1,2]".encode_utf16().collect();
        assert!(
            parse(&short, &mut ctx).is_ok(),
            "a short text is done before a check"
        );
    }

    #[test]
    fn deep_nesting_parses() {
        let mut ctx = Context::default();
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let units: Vec<u16> = text.encode_utf16().collect();
        assert!(parse(&units, &mut ctx).is_ok());
    }
}
