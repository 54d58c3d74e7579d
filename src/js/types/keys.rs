//! `MinKey` / `MaxKey`. The global constructors themselves also stand for the value (the legacy
//! shell lets users write `{$gt: MinKey}`), and so do instances made with `MinKey()`.

use boa_engine::class::{Class, ClassBuilder};
use boa_engine::{
    js_string, Context, Finalize, JsData, JsObject, JsResult, JsValue, NativeFunction, Trace,
};
use bson::Bson;

use super::common::{construct_any, legacy_text};
use super::numbers::add_methods;

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsMinKey;

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsMaxKey;

fn min_text(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(legacy_text(&Bson::MinKey))
}

fn max_text(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(legacy_text(&Bson::MaxKey))
}

impl Class for JsMinKey {
    const NAME: &'static str = "MinKey";

    fn data_constructor(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<Self> {
        Ok(JsMinKey)
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        add_methods(class, &[("toString", min_text), ("tojson", min_text)]);
        class.static_method(
            js_string!("tojson"),
            0,
            NativeFunction::from_fn_ptr(min_text),
        );
        Ok(())
    }
}

impl Class for JsMaxKey {
    const NAME: &'static str = "MaxKey";

    fn data_constructor(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<Self> {
        Ok(JsMaxKey)
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        add_methods(class, &[("toString", max_text), ("tojson", max_text)]);
        class.static_method(
            js_string!("tojson"),
            0,
            NativeFunction::from_fn_ptr(max_text),
        );
        Ok(())
    }
}

/// `Some(MinKey | MaxKey)` when `obj` is an instance or one of the two constructors.
pub fn key_value(obj: &JsObject, ctx: &Context) -> Option<Bson> {
    if obj.is::<JsMinKey>() {
        return Some(Bson::MinKey);
    }
    if obj.is::<JsMaxKey>() {
        return Some(Bson::MaxKey);
    }
    if !obj.is_callable() {
        return None;
    }
    if ctx
        .get_global_class::<JsMinKey>()
        .is_some_and(|c| &c.constructor() == obj)
    {
        return Some(Bson::MinKey);
    }
    if ctx
        .get_global_class::<JsMaxKey>()
        .is_some_and(|c| &c.constructor() == obj)
    {
        return Some(Bson::MaxKey);
    }
    None
}
