//! BSON → JS.

use boa_engine::object::builtins::{JsArray, JsRegExp};
use boa_engine::object::JsObject;
use boa_engine::{Context, JsResult, JsString, JsValue};
use bson::{Bson, Document};

use super::hints::{attach, Hint, Hints};
use crate::js::types::common::{instance, new_date};
use crate::js::types::regexp;
use crate::js::types::{
    JsBinData, JsMaxKey, JsMinKey, JsNumberDecimal, JsNumberLong, JsObjectId, JsTimestamp,
};

/// Largest |ms| a JS Date can hold.
const JS_DATE_LIMIT: i64 = 8_640_000_000_000_000;

/// A BSON value as a JS value (documents and arrays carry their type hints).
pub fn bson_to_js(b: &Bson, ctx: &mut Context) -> JsResult<JsValue> {
    Ok(value(b, ctx)?.0)
}

/// A document as a plain JS object, keys in BSON order.
pub fn document_to_js(doc: &Document, ctx: &mut Context) -> JsResult<JsObject> {
    let obj = JsObject::with_object_proto(ctx.intrinsics());
    let mut hints = Hints::default();
    let mut needs_order = false;
    for (k, v) in doc {
        if is_array_index(k) {
            needs_order = true;
        }
        let (js, hint) = value(v, ctx)?;
        obj.create_data_property_or_throw(JsString::from(k.as_str()), js, ctx)?;
        if let Some(h) = hint {
            hints.fields.push((k.clone(), h));
        }
    }
    if needs_order {
        hints.order = Some(doc.keys().cloned().collect());
    }
    attach(&obj, hints, ctx)?;
    Ok(obj)
}

fn array_to_js(items: &[Bson], ctx: &mut Context) -> JsResult<JsObject> {
    let mut values = Vec::with_capacity(items.len());
    let mut hints = Hints::default();
    for (i, v) in items.iter().enumerate() {
        let (js, hint) = value(v, ctx)?;
        values.push(js);
        if let Some(h) = hint {
            hints.fields.push((i.to_string(), h));
        }
    }
    let arr: JsObject = JsArray::from_iter(values, ctx).into();
    attach(&arr, hints, ctx)?;
    Ok(arr)
}

/// Keys JS enumerates before all others (canonical array indices).
fn is_array_index(k: &str) -> bool {
    !k.is_empty()
        && k.bytes().all(|c| c.is_ascii_digit())
        && (k == "0" || !k.starts_with('0'))
        && k.parse::<u32>().is_ok_and(|n| n != u32::MAX)
}

fn value(b: &Bson, ctx: &mut Context) -> JsResult<(JsValue, Option<Hint>)> {
    let plain = |v: JsValue| Ok((v, None));
    match b {
        Bson::Double(f) => plain(JsValue::from(*f)),
        // A JS number goes back as a double: remember which fields were int32.
        Bson::Int32(i) => Ok((JsValue::from(*i), Some(Hint::Int32))),
        Bson::String(s) => plain(JsValue::from(JsString::from(s.as_str()))),
        Bson::Boolean(v) => plain(JsValue::from(*v)),
        Bson::Null => plain(JsValue::null()),
        Bson::Undefined => plain(JsValue::undefined()),
        Bson::Document(d) => plain(document_to_js(d, ctx)?.into()),
        Bson::Array(a) => plain(array_to_js(a, ctx)?.into()),
        Bson::Int64(i) => plain(instance(JsNumberLong(*i), ctx)?),
        Bson::ObjectId(o) => plain(instance(JsObjectId(*o), ctx)?),
        Bson::Timestamp(t) => plain(instance(JsTimestamp(*t), ctx)?),
        Bson::Binary(bin) => plain(instance(JsBinData(bin.clone()), ctx)?),
        Bson::Decimal128(d) => plain(instance(JsNumberDecimal(*d), ctx)?),
        Bson::MinKey => plain(instance(JsMinKey, ctx)?),
        Bson::MaxKey => plain(instance(JsMaxKey, ctx)?),
        Bson::DateTime(dt) => {
            let ms = dt.timestamp_millis();
            if ms.abs() > JS_DATE_LIMIT {
                // An invalid Date stands for it; the hint sends the original back.
                return Ok((new_date(f64::NAN, ctx)?, Some(Hint::Raw(b.clone()))));
            }
            plain(new_date(ms as f64, ctx)?)
        }
        Bson::RegularExpression(re) => {
            let js_flags = regexp::js_flags_of_options(&re.options);
            let exact = regexp::bson_options(&js_flags) == re.options
                && regexp::as_reported(&re.pattern) == re.pattern;
            let hint = (!exact).then(|| Hint::Regex(re.clone()));
            match JsRegExp::new(
                JsString::from(re.pattern.as_str()),
                JsString::from(js_flags.as_str()),
                ctx,
            ) {
                Ok(r) => Ok((r.into(), hint)),
                // A pattern JS cannot compile: show it as text, send the original back.
                Err(_) => Ok((
                    JsValue::from(JsString::from(format!("/{}/{}", re.pattern, re.options))),
                    Some(Hint::Raw(b.clone())),
                )),
            }
        }
        Bson::Symbol(s) => Ok((
            JsValue::from(JsString::from(s.as_str())),
            Some(Hint::Symbol),
        )),
        Bson::JavaScriptCode(c) => {
            Ok((JsValue::from(JsString::from(c.as_str())), Some(Hint::Code)))
        }
        Bson::JavaScriptCodeWithScope(cws) => Ok((
            JsValue::from(JsString::from(cws.code.as_str())),
            Some(Hint::CodeWithScope(cws.scope.clone())),
        )),
        // DBPointer and anything newer: shown as its text, sent back unchanged.
        other => Ok((
            JsValue::from(JsString::from(format!("{other}"))),
            Some(Hint::Raw(other.clone())),
        )),
    }
}
