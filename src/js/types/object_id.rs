//! `ObjectId([hex])`: `.str`, `getTimestamp()`, `toString()`, `equals()`, `valueOf()`, `tojson()`.

use boa_engine::class::{Class, ClassBuilder};
use boa_engine::object::FunctionObjectBuilder;
use boa_engine::property::Attribute;
use boa_engine::{
    js_string, Context, Finalize, JsData, JsObject, JsResult, JsValue, NativeFunction, Trace,
};
use bson::oid::ObjectId;
use bson::Bson;

use super::common::{construct_any, js_str, legacy_text, new_date, this_data, value_data};
use crate::js::args::{type_error, wrong_type};

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsObjectId(#[unsafe_ignore_trace] pub ObjectId);

impl Class for JsObjectId {
    const NAME: &'static str = "ObjectId";
    const LENGTH: usize = 1;

    fn data_constructor(_nt: &JsValue, args: &[JsValue], _ctx: &mut Context) -> JsResult<Self> {
        match args.first() {
            None => Ok(JsObjectId(ObjectId::new())),
            Some(v) if v.is_undefined() => Ok(JsObjectId(ObjectId::new())),
            Some(v) => {
                if let Some(oid) = value_data::<JsObjectId>(v) {
                    return Ok(oid);
                }
                let hex = v
                    .as_string()
                    .map(|s| s.to_std_string_escaped())
                    .ok_or_else(|| {
                        wrong_type(
                            "ObjectId()",
                            "argument",
                            "a 24-character hex string",
                            Some(v),
                        )
                    })?;
                parse_hex(&hex).map(JsObjectId)
            }
        }
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        let realm = class.context().realm().clone();
        let getter = FunctionObjectBuilder::new(&realm, NativeFunction::from_fn_ptr(str_getter))
            .name(js_string!("get str"))
            .build();
        class.accessor(
            js_string!("str"),
            Some(getter),
            None,
            Attribute::CONFIGURABLE,
        );
        for (name, f) in [
            ("toString", to_string as NativeFn),
            ("tojson", to_string),
            ("valueOf", value_of),
            ("getTimestamp", get_timestamp),
            ("equals", equals),
            ("toHexString", value_of),
            ("toJSON", to_json),
        ] {
            class.method(js_string!(name), 0, NativeFunction::from_fn_ptr(f));
        }
        class.static_method(
            js_string!("fromDate"),
            1,
            NativeFunction::from_fn_ptr(from_date),
        );
        class.static_method(
            js_string!("isObjectId"),
            1,
            NativeFunction::from_fn_ptr(is_object_id),
        );
        Ok(())
    }
}

pub type NativeFn = fn(&JsValue, &[JsValue], &mut Context) -> JsResult<JsValue>;

/// 24 hex digits → ObjectId, or a TypeError with the offending text.
pub fn parse_hex(hex: &str) -> JsResult<ObjectId> {
    if hex.len() != 24 {
        return Err(type_error(format!(
            "invalid ObjectId: {hex:?} (expected 24 hex digits, got {})",
            hex.chars().count()
        )));
    }
    ObjectId::parse_str(hex)
        .map_err(|_| type_error(format!("invalid ObjectId: {hex:?} (not a hex string)")))
}

fn str_getter(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(js_str(
        &this_data::<JsObjectId>(this, "ObjectId.str")?.0.to_hex(),
    ))
}

fn to_string(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let oid = this_data::<JsObjectId>(this, "ObjectId.toString")?.0;
    Ok(legacy_text(&Bson::ObjectId(oid)))
}

fn value_of(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(js_str(
        &this_data::<JsObjectId>(this, "ObjectId.valueOf")?
            .0
            .to_hex(),
    ))
}

fn get_timestamp(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let oid = this_data::<JsObjectId>(this, "ObjectId.getTimestamp")?.0;
    new_date(oid.timestamp().timestamp_millis() as f64, ctx)
}

fn equals(this: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let oid = this_data::<JsObjectId>(this, "ObjectId.equals")?.0;
    let other = args.first().and_then(value_data::<JsObjectId>);
    Ok(JsValue::from(other.is_some_and(|o| o.0 == oid)))
}

fn to_json(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let oid = this_data::<JsObjectId>(this, "ObjectId.toJSON")?.0;
    let obj = boa_engine::object::ObjectInitializer::new(ctx)
        .property(js_string!("$oid"), js_str(&oid.to_hex()), Attribute::all())
        .build();
    Ok(obj.into())
}

/// `ObjectId.fromDate(date)`: the smallest ObjectId of that second (time, then zeros).
fn from_date(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let ms = args
        .first()
        .and_then(|v| v.as_object())
        .and_then(|o| {
            boa_engine::object::builtins::JsDate::from_object(o.clone())
                .ok()
                .and_then(|d| d.get_time(ctx).ok())
        })
        .and_then(|t| t.as_number())
        .filter(|t| t.is_finite())
        .ok_or_else(|| type_error("ObjectId.fromDate() needs a valid Date"))?;
    let secs = (ms / 1000.0).floor();
    if !(0.0..=f64::from(u32::MAX)).contains(&secs) {
        return Err(type_error("ObjectId.fromDate(): date out of range"));
    }
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&(secs as u32).to_be_bytes());
    crate::js::convert::bson_to_js(
        &bson::Bson::ObjectId(bson::oid::ObjectId::from_bytes(bytes)),
        ctx,
    )
}

fn is_object_id(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(
        args.first()
            .is_some_and(|v| value_data::<JsObjectId>(v).is_some()),
    ))
}
