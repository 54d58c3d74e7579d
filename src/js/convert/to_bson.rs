//! JS → BSON, for sending (types kept by hints) and for printing.

use boa_engine::builtins::date::Date;
use boa_engine::builtins::error::Error as JsErrorData;
use boa_engine::builtins::regexp::RegExp;
use boa_engine::object::builtins::JsDate;
use boa_engine::object::JsObject;
use boa_engine::property::PropertyKey;
use boa_engine::{js_string, Context, JsResult, JsValue};
use bson::{Bson, Document, JavaScriptCodeWithScope, Regex};

use super::hints::{self, Hint, Hints};
use crate::js::args::{describe, type_error};
use crate::js::types::common::value_data;
use crate::js::types::{
    keys, regexp, JsBinData, JsDbRef, JsNumberDecimal, JsNumberInt, JsNumberLong, JsObjectId,
    JsTimestamp,
};

/// Deeper than this is refused when sending (BSON allows about 100 levels) and cut when printing
/// (the printer shows `[Object]` beyond depth 100 anyway).
const MAX_DEPTH: usize = 150;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Send,
    Print,
}

/// A JS value as BSON to send to a server.
pub fn js_to_bson(v: &JsValue, ctx: &mut Context) -> JsResult<Bson> {
    Walker {
        mode: Mode::Send,
        stack: Vec::new(),
    }
    .value(v, None, ctx)
}

/// A JS object as a BSON document to send (a command, a query, a config).
pub fn js_to_document(v: &JsValue, ctx: &mut Context) -> JsResult<Document> {
    match js_to_bson(v, ctx)? {
        Bson::Document(d) => Ok(d),
        _ => Err(type_error(format!(
            "expected an object, got {}",
            describe(Some(v))
        ))),
    }
}

/// A JS value as BSON for the printer (see the module doc of `convert`).
pub fn js_to_print_bson(v: &JsValue, ctx: &mut Context) -> JsResult<Bson> {
    Walker {
        mode: Mode::Print,
        stack: Vec::new(),
    }
    .value(v, None, ctx)
}

struct Walker {
    mode: Mode,
    /// Objects being converted (ancestors of the current value), for cycle detection.
    stack: Vec<JsObject>,
}

impl Walker {
    fn value(&mut self, v: &JsValue, hint: Option<&Hint>, ctx: &mut Context) -> JsResult<Bson> {
        if v.is_undefined() {
            return Ok(Bson::Undefined);
        }
        if v.is_null() {
            return Ok(Bson::Null);
        }
        if let Some(b) = v.as_boolean() {
            return Ok(Bson::Boolean(b));
        }
        if let Some(s) = v.as_string() {
            let s = s.to_std_string_escaped();
            return Ok(match hint {
                Some(Hint::Symbol) => Bson::Symbol(s),
                Some(Hint::Code) => Bson::JavaScriptCode(s),
                Some(Hint::CodeWithScope(scope)) => {
                    Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope {
                        code: s,
                        scope: scope.clone(),
                    })
                }
                Some(Hint::Raw(raw)) if raw_text(raw) == s => raw.clone(),
                _ => Bson::String(s),
            });
        }
        if let Some(n) = v.as_number() {
            return Ok(self.number(n, hint));
        }
        if let Some(big) = v.as_bigint() {
            let text = big.to_string();
            return match (self.mode, text.parse::<i64>()) {
                (Mode::Send, Ok(i)) => Ok(Bson::Int64(i)),
                (Mode::Send, Err(_)) => {
                    Err(type_error(format!("BigInt {text} does not fit in 64 bits")))
                }
                (Mode::Print, _) => Ok(Bson::JavaScriptCode(format!("{text}n"))),
            };
        }
        if let Some(sym) = v.as_symbol() {
            return match self.mode {
                Mode::Print => Ok(Bson::JavaScriptCode(
                    sym.descriptive_string().to_std_string_escaped(),
                )),
                Mode::Send => Err(type_error("a Symbol cannot be converted to BSON")),
            };
        }
        match v.as_object() {
            Some(obj) => self.object(&obj, hint, ctx),
            None => Ok(Bson::Undefined),
        }
    }

    /// A JS number is a BSON double, as the legacy shell sends it (`NumberInt`/`NumberLong`
    /// give integers); `{$type: "double"}` queries and other clients see what it wrote.
    /// A field that came from the server as int32 stays one while it holds an int32 value.
    fn number(&self, n: f64, hint: Option<&Hint>) -> Bson {
        let fits_i32 = n.fract() == 0.0
            && n >= i32::MIN as f64
            && n <= i32::MAX as f64
            && !(n == 0.0 && n.is_sign_negative());
        match (self.mode, hint) {
            (Mode::Send, Some(Hint::Int32)) if fits_i32 => Bson::Int32(n as i32),
            _ => Bson::Double(n),
        }
    }

    fn object(&mut self, obj: &JsObject, hint: Option<&Hint>, ctx: &mut Context) -> JsResult<Bson> {
        if let Some(k) = keys::key_value(obj, ctx) {
            return Ok(k);
        }
        let as_value = JsValue::from(obj.clone());
        if let Some(o) = value_data::<JsObjectId>(&as_value) {
            return Ok(Bson::ObjectId(o.0));
        }
        if let Some(l) = value_data::<JsNumberLong>(&as_value) {
            return Ok(Bson::Int64(l.0));
        }
        if let Some(i) = value_data::<JsNumberInt>(&as_value) {
            return Ok(Bson::Int32(i.0));
        }
        if let Some(d) = value_data::<JsNumberDecimal>(&as_value) {
            return Ok(Bson::Decimal128(d.0));
        }
        if let Some(t) = value_data::<JsTimestamp>(&as_value) {
            return Ok(Bson::Timestamp(t.0));
        }
        if let Some(b) = value_data::<JsBinData>(&as_value) {
            return Ok(Bson::Binary(b.0.clone()));
        }
        if obj.is::<Date>() {
            return self.date(obj, hint, ctx);
        }
        if obj.is::<RegExp>() {
            return regex(obj, hint, self.mode, ctx);
        }
        if obj.is_callable() {
            let src = super::js_to_display_string(&as_value, ctx);
            return Ok(Bson::JavaScriptCode(src));
        }
        if self.mode == Mode::Print && obj.is::<JsErrorData>() {
            return Ok(Bson::JavaScriptCode(super::js_to_display_string(
                &as_value, ctx,
            )));
        }
        if self.stack.iter().any(|o| o == obj) {
            return match self.mode {
                Mode::Print => Ok(Bson::JavaScriptCode("[Circular]".to_string())),
                Mode::Send => Err(type_error("cannot convert a cyclic object to BSON")),
            };
        }
        if self.stack.len() >= MAX_DEPTH {
            return match self.mode {
                Mode::Print => Ok(Bson::Document(Document::new())),
                Mode::Send => Err(type_error("object nesting is too deep to convert to BSON")),
            };
        }
        if self.mode == Mode::Print && !obj.is::<JsDbRef>() {
            if let Some(text) = own_tojson(obj, ctx)? {
                return Ok(Bson::JavaScriptCode(text));
            }
        }
        self.stack.push(obj.clone());
        let result = if obj.is_array() {
            self.array(obj, ctx)
        } else {
            self.document(obj, ctx)
        };
        self.stack.pop();
        result
    }

    fn date(&self, obj: &JsObject, hint: Option<&Hint>, ctx: &mut Context) -> JsResult<Bson> {
        let date = JsDate::from_object(obj.clone())?;
        let ms = date.get_time(ctx)?.as_number().unwrap_or(f64::NAN);
        if ms.is_finite() {
            return Ok(Bson::DateTime(bson::DateTime::from_millis(ms as i64)));
        }
        match (hint, self.mode) {
            (Some(Hint::Raw(raw @ Bson::DateTime(_))), _) => Ok(raw.clone()),
            (_, Mode::Print) => Ok(Bson::JavaScriptCode(
                "ISODate(\"0NaN-NaN-NaNTNaN:NaN:NaNZ\")".to_string(),
            )),
            (_, Mode::Send) => Err(type_error("an invalid Date cannot be converted to BSON")),
        }
    }

    fn array(&mut self, obj: &JsObject, ctx: &mut Context) -> JsResult<Bson> {
        let hints = hints::read(obj, ctx).unwrap_or_default();
        let len = obj.get(js_string!("length"), ctx)?.to_length(ctx)?;
        let mut out = Vec::with_capacity(len.min(1 << 16) as usize);
        for i in 0..len {
            let v = obj.get(i, ctx)?;
            let key = i.to_string();
            out.push(self.value(&v, hints.get(&key), ctx)?);
        }
        Ok(Bson::Array(out))
    }

    fn document(&mut self, obj: &JsObject, ctx: &mut Context) -> JsResult<Bson> {
        let hints = hints::read(obj, ctx).unwrap_or_default();
        let keys = enumerable_keys(obj, &hints, ctx)?;
        let mut doc = Document::new();
        for (name, key) in keys {
            let v = obj.get(key, ctx)?;
            let b = self.value(&v, hints.get(&name), ctx)?;
            doc.insert(name, b);
        }
        Ok(Bson::Document(doc))
    }
}

/// Own enumerable string keys in JS order, or in the recorded BSON order when there is one.
fn enumerable_keys(
    obj: &JsObject,
    hints: &Hints,
    ctx: &mut Context,
) -> JsResult<Vec<(String, PropertyKey)>> {
    let ordinary = obj.is_ordinary() || obj.is_array();
    let mut keys = Vec::new();
    for key in obj.own_property_keys(ctx)? {
        if matches!(key, PropertyKey::Symbol(_)) {
            continue;
        }
        if ordinary {
            let enumerable = obj
                .borrow()
                .properties()
                .get(&key)
                .and_then(|d| d.enumerable());
            if enumerable != Some(true) {
                continue;
            }
        }
        keys.push((key.to_string(), key));
    }
    if let Some(order) = &hints.order {
        let mut sorted: Vec<(String, PropertyKey)> = Vec::with_capacity(keys.len());
        for name in order {
            if let Some(pos) = keys.iter().position(|(n, _)| n == name) {
                sorted.push(keys.remove(pos));
            }
        }
        sorted.append(&mut keys);
        return Ok(sorted);
    }
    Ok(keys)
}

/// The text an object's own `tojson()` method returns (inherited from a user prototype too),
/// or `None` when it has none.
fn own_tojson(obj: &JsObject, ctx: &mut Context) -> JsResult<Option<String>> {
    let f = obj.get(js_string!("tojson"), ctx)?;
    let Some(f) = f.as_callable() else {
        return Ok(None);
    };
    let out = f.call(&JsValue::from(obj.clone()), &[], ctx)?;
    Ok(Some(super::js_to_display_string(&out, ctx)))
}

/// The text shown in JS for a value kept raw (see `to_js`).
fn raw_text(raw: &Bson) -> String {
    match raw {
        Bson::RegularExpression(re) => format!("/{}/{}", re.pattern, re.options),
        other => format!("{other}"),
    }
}

fn regex(obj: &JsObject, hint: Option<&Hint>, mode: Mode, ctx: &mut Context) -> JsResult<Bson> {
    let pattern = regexp::pattern(obj, ctx)?;
    let js_flags = regexp::flags(obj, ctx)?;
    // The server's form survives (options JS lacks, raw line terminators) while the RegExp
    // still reads as it did when it arrived.
    let orig = match hint {
        Some(Hint::Regex(orig))
            if regexp::js_flags_of_options(&orig.options) == regexp::bson_options(&js_flags)
                && regexp::as_reported(&orig.pattern) == pattern =>
        {
            Some(orig)
        }
        _ => None,
    };
    let (pattern, options) = match (mode, orig) {
        (Mode::Send, Some(orig)) => (orig.pattern.clone(), orig.options.clone()),
        (Mode::Send, None) => (pattern, regexp::bson_options(&js_flags)),
        (Mode::Print, orig) => {
            let opts = regexp::print_flags(&js_flags, orig.map(|o| o.options.as_str()));
            (pattern, opts)
        }
    };
    Ok(Bson::RegularExpression(Regex { pattern, options }))
}
