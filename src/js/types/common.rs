//! Shared plumbing for the BSON classes: call-or-new construction, `this` data access, instances
//! and dates (argument checks are in `js::args`).

use boa_engine::class::Class;
use boa_engine::object::NativeObject;
use boa_engine::{js_string, Context, JsObject, JsResult, JsValue};

use crate::js::args::type_error;
use crate::js::format::{self, Style};

/// Build an instance of `C` whether called with `new` or as a plain function (the legacy shell
/// accepts both: `ObjectId()` and `new ObjectId()`).
pub fn construct_any<C: Class>(
    new_target: &JsValue,
    args: &[JsValue],
    ctx: &mut Context,
) -> JsResult<JsObject> {
    let prototype = match new_target.as_object() {
        Some(ctor) => match ctor.get(js_string!("prototype"), ctx)?.as_object() {
            Some(p) => p.clone(),
            None => class_prototype::<C>(ctx)?,
        },
        None => class_prototype::<C>(ctx)?,
    };
    let data = C::data_constructor(new_target, args, ctx)?;
    let object = JsObject::<C>::new_unique(prototype, data);
    C::object_constructor(&object, args, ctx)?;
    Ok(object.upcast())
}

fn class_prototype<C: Class>(ctx: &mut Context) -> JsResult<JsObject> {
    Ok(ctx
        .get_global_class::<C>()
        .ok_or_else(|| type_error(format!("class {} is not registered", C::NAME)))?
        .prototype())
}

/// Copy of the native data of `this`, or a TypeError naming the method.
pub fn this_data<T: NativeObject + Clone>(this: &JsValue, method: &str) -> JsResult<T> {
    value_data::<T>(this)
        .ok_or_else(|| type_error(format!("{method} called on an object of the wrong type")))
}

/// Copy of the native data of `value` when it is an instance of `T`.
pub fn value_data<T: NativeObject + Clone>(value: &JsValue) -> Option<T> {
    let obj = value.as_object()?;
    let data = obj.downcast_ref::<T>()?;
    Some(data.clone())
}

/// A JS string value.
pub fn js_str(s: &str) -> JsValue {
    JsValue::from(boa_engine::JsString::from(s))
}

/// The legacy text of a BSON value (`tojson`, default style) as a JS string: what the wrapper
/// types' `toString` and `tojson` return.
pub fn legacy_text(v: &bson::Bson) -> JsValue {
    js_str(&format::tojson(v, "", false, Style::default()))
}

/// Wrap native data as an instance of its class (used when converting BSON to JS).
pub fn instance<C: Class>(data: C, ctx: &mut Context) -> JsResult<JsValue> {
    let proto = class_prototype::<C>(ctx)?;
    Ok(JsObject::<C>::new_unique(proto, data).upcast().into())
}

/// A new JS Date for `ms` milliseconds since the epoch.
pub fn new_date(ms: f64, ctx: &mut Context) -> JsResult<JsValue> {
    let date = boa_engine::object::builtins::JsDate::new(ctx);
    date.set_time(ms, ctx)?;
    Ok(date.into())
}
