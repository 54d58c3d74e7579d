//! `NumberLong`, `NumberInt`, `NumberDecimal`.

use boa_engine::class::{Class, ClassBuilder};
use boa_engine::object::{FunctionObjectBuilder, ObjectInitializer};
use boa_engine::property::Attribute;
use boa_engine::{
    js_string, Context, Finalize, JsData, JsObject, JsResult, JsValue, NativeFunction, Trace,
};
use bson::{Bson, Decimal128};

use super::common::{construct_any, js_str, legacy_text, this_data, value_data};
use super::object_id::NativeFn;
use crate::js::args::{describe, type_error, wrong_type};
use crate::js::format::{self, Style};

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsNumberLong(#[unsafe_ignore_trace] pub i64);

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsNumberInt(#[unsafe_ignore_trace] pub i32);

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsNumberDecimal(#[unsafe_ignore_trace] pub Decimal128);

/// Register methods (and optional getters) on a class prototype.
pub fn add_methods(class: &mut ClassBuilder<'_>, methods: &[(&str, NativeFn)]) {
    for (name, f) in methods {
        class.method(js_string!(*name), 0, NativeFunction::from_fn_ptr(*f));
    }
}

pub fn add_getters(class: &mut ClassBuilder<'_>, getters: &[(&str, NativeFn)]) {
    let realm = class.context().realm().clone();
    for (name, f) in getters {
        let getter = FunctionObjectBuilder::new(&realm, NativeFunction::from_fn_ptr(*f))
            .name(js_string!(format!("get {name}")))
            .build();
        class.accessor(
            js_string!(*name),
            Some(getter),
            None,
            Attribute::CONFIGURABLE,
        );
    }
}

/// A finite JS number truncated to an integer, or a TypeError.
fn integral(n: f64, what: &str) -> JsResult<f64> {
    if !n.is_finite() {
        return Err(type_error(format!(
            "{what}: {} is not a finite number",
            describe(Some(&n.into()))
        )));
    }
    Ok(n.trunc())
}

impl Class for JsNumberLong {
    const NAME: &'static str = "NumberLong";
    const LENGTH: usize = 1;

    fn data_constructor(_nt: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<Self> {
        // Legacy three-argument form: NumberLong(floatApprox, top, bottom).
        if args.len() == 3 {
            let top = args[1].as_number().unwrap_or(0.0) as i64 as u32;
            let bottom = args[2].as_number().unwrap_or(0.0) as i64 as u32;
            return Ok(JsNumberLong((((top as u64) << 32) | bottom as u64) as i64));
        }
        let Some(v) = args.first().filter(|v| !v.is_undefined()) else {
            return Ok(JsNumberLong(0));
        };
        if let Some(l) = value_data::<JsNumberLong>(v) {
            return Ok(l);
        }
        if let Some(i) = value_data::<JsNumberInt>(v) {
            return Ok(JsNumberLong(i.0.into()));
        }
        if let Some(n) = v.as_number() {
            let n = integral(n, "NumberLong()")?;
            // 2^63 itself does not fit; `as` would saturate silently.
            if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
                return Err(type_error(format!(
                    "NumberLong(): {} is out of the 64-bit range",
                    format::js_number(n)
                )));
            }
            return Ok(JsNumberLong(n as i64));
        }
        if let Some(s) = v.as_string() {
            let text = s.to_std_string_escaped();
            return text.trim().parse::<i64>().map(JsNumberLong).map_err(|_| {
                type_error(format!(
                    "NumberLong(): could not convert {text:?} to a 64-bit integer"
                ))
            });
        }
        Err(wrong_type(
            "NumberLong()",
            "argument",
            "a number or a numeric string",
            Some(v),
        ))
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        add_methods(
            class,
            &[
                ("toString", long_to_string),
                ("tojson", long_to_string),
                ("valueOf", long_value),
                ("toNumber", long_value),
                ("equals", long_equals),
                ("compare", long_compare),
                ("toJSON", long_to_json),
            ],
        );
        add_getters(
            class,
            &[
                ("floatApprox", long_value),
                ("top", long_top),
                ("bottom", long_bottom),
            ],
        );
        Ok(())
    }
}

fn long(this: &JsValue) -> JsResult<i64> {
    Ok(this_data::<JsNumberLong>(this, "NumberLong method")?.0)
}

/// The i64 value of a NumberLong, NumberInt or integral number argument.
fn long_arg(v: Option<&JsValue>) -> Option<i64> {
    let v = v?;
    if let Some(l) = value_data::<JsNumberLong>(v) {
        return Some(l.0);
    }
    if let Some(i) = value_data::<JsNumberInt>(v) {
        return Some(i.0.into());
    }
    v.as_number()
        .filter(|n| n.fract() == 0.0 && n.is_finite())
        .map(|n| n as i64)
}

fn long_to_string(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(legacy_text(&Bson::Int64(long(this)?)))
}

fn long_value(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(long(this)? as f64))
}

fn long_top(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(((long(this)? as u64) >> 32) as u32))
}

fn long_bottom(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from((long(this)? as u64 & 0xffff_ffff) as u32))
}

fn long_equals(this: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let me = long(this)?;
    Ok(JsValue::from(long_arg(args.first()) == Some(me)))
}

fn long_compare(this: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let me = long(this)?;
    let other = long_arg(args.first()).ok_or_else(|| {
        type_error("NumberLong.compare(): argument must be a NumberLong or an integer")
    })?;
    Ok(JsValue::from(me.cmp(&other) as i32))
}

fn long_to_json(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let text = long(this)?.to_string();
    let obj = ObjectInitializer::new(ctx)
        .property(js_string!("$numberLong"), js_str(&text), Attribute::all())
        .build();
    Ok(obj.into())
}

impl Class for JsNumberInt {
    const NAME: &'static str = "NumberInt";
    const LENGTH: usize = 1;

    fn data_constructor(_nt: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<Self> {
        let Some(v) = args.first().filter(|v| !v.is_undefined()) else {
            return Ok(JsNumberInt(0));
        };
        if let Some(i) = value_data::<JsNumberInt>(v) {
            return Ok(i);
        }
        let n = if let Some(n) = v.as_number() {
            integral(n, "NumberInt()")?
        } else if let Some(s) = v.as_string() {
            let text = s.to_std_string_escaped();
            text.trim().parse::<i64>().map_err(|_| {
                type_error(format!(
                    "NumberInt(): could not convert {text:?} to a 32-bit integer"
                ))
            })? as f64
        } else if let Some(l) = value_data::<JsNumberLong>(v) {
            l.0 as f64
        } else {
            return Err(wrong_type(
                "NumberInt()",
                "argument",
                "a number or a numeric string",
                Some(v),
            ));
        };
        if n < i32::MIN as f64 || n > i32::MAX as f64 {
            return Err(type_error(format!(
                "NumberInt(): {} is out of the 32-bit range",
                format::js_number(n)
            )));
        }
        Ok(JsNumberInt(n as i32))
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        add_methods(
            class,
            &[
                ("toString", int_to_string),
                ("tojson", int_to_string),
                ("valueOf", int_value),
                ("toNumber", int_value),
                ("toJSON", int_value),
            ],
        );
        Ok(())
    }
}

fn int(this: &JsValue) -> JsResult<i32> {
    Ok(this_data::<JsNumberInt>(this, "NumberInt method")?.0)
}

fn int_to_string(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let style = Style { number_int: true };
    Ok(js_str(&format::tojson(
        &Bson::Int32(int(this)?),
        "",
        false,
        style,
    )))
}

fn int_value(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(int(this)?))
}

impl Class for JsNumberDecimal {
    const NAME: &'static str = "NumberDecimal";
    const LENGTH: usize = 1;

    fn data_constructor(_nt: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<Self> {
        let Some(v) = args.first().filter(|v| !v.is_undefined()) else {
            return parse_decimal("0");
        };
        if let Some(d) = value_data::<JsNumberDecimal>(v) {
            return Ok(d);
        }
        if let Some(n) = v.as_number() {
            return parse_decimal(&format::js_number(n));
        }
        if let Some(s) = v.as_string() {
            return parse_decimal(&s.to_std_string_escaped());
        }
        if let Some(l) = value_data::<JsNumberLong>(v) {
            return parse_decimal(&l.0.to_string());
        }
        if let Some(i) = value_data::<JsNumberInt>(v) {
            return parse_decimal(&i.0.to_string());
        }
        Err(wrong_type(
            "NumberDecimal()",
            "argument",
            "a string or a number",
            Some(v),
        ))
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        add_methods(
            class,
            &[
                ("toString", dec_to_string),
                ("tojson", dec_to_string),
                ("toJSON", dec_to_json),
            ],
        );
        Ok(())
    }
}

fn parse_decimal(text: &str) -> JsResult<JsNumberDecimal> {
    text.trim()
        .parse::<Decimal128>()
        .map(JsNumberDecimal)
        .map_err(|_| {
            type_error(format!(
                "NumberDecimal(): {text:?} is not a valid decimal number"
            ))
        })
}

fn dec(this: &JsValue) -> JsResult<Decimal128> {
    Ok(this_data::<JsNumberDecimal>(this, "NumberDecimal method")?.0)
}

fn dec_to_string(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(legacy_text(&Bson::Decimal128(dec(this)?)))
}

fn dec_to_json(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let text = format::tojson(&Bson::Decimal128(dec(this)?), "", false, Style::default());
    // `NumberDecimal("1.5")` → `1.5`
    let inner = text
        .strip_prefix("NumberDecimal(\"")
        .and_then(|t| t.strip_suffix("\")"))
        .unwrap_or(&text)
        .to_string();
    let obj = ObjectInitializer::new(ctx)
        .property(
            js_string!("$numberDecimal"),
            js_str(&inner),
            Attribute::all(),
        )
        .build();
    Ok(obj.into())
}
