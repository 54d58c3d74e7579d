//! `Timestamp(t, i)`: `.t`, `.i`, `getTime()`, `getInc()`, `toString()`.

use boa_engine::class::{Class, ClassBuilder};
use boa_engine::object::ObjectInitializer;
use boa_engine::property::Attribute;
use boa_engine::{js_string, Context, Finalize, JsData, JsObject, JsResult, JsValue, Trace};
use bson::{Bson, Timestamp};

use super::common::{construct_any, legacy_text, this_data, value_data};
use super::numbers::{add_getters, add_methods};
use crate::js::args::whole_number;

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsTimestamp(#[unsafe_ignore_trace] pub Timestamp);

fn part(v: Option<&JsValue>, name: &str) -> JsResult<u32> {
    match v {
        None => Ok(0),
        Some(v) if v.is_undefined() => Ok(0),
        Some(v) => {
            let range = "between 0 and 4294967295";
            Ok(whole_number(Some(v), "Timestamp()", name, u32::MAX as f64, range)? as u32)
        }
    }
}

impl Class for JsTimestamp {
    const NAME: &'static str = "Timestamp";
    const LENGTH: usize = 2;

    fn data_constructor(_nt: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<Self> {
        if let Some(ts) = args.first().and_then(value_data::<JsTimestamp>) {
            return Ok(ts);
        }
        let time = part(args.first(), "t (seconds)")?;
        let increment = part(args.get(1), "i (increment)")?;
        Ok(JsTimestamp(Timestamp { time, increment }))
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        add_methods(
            class,
            &[
                ("toString", to_string),
                ("tojson", to_string),
                ("getTime", get_t),
                ("getInc", get_i),
                ("toJSON", to_json),
            ],
        );
        add_getters(class, &[("t", get_t), ("i", get_i)]);
        Ok(())
    }
}

fn ts(this: &JsValue) -> JsResult<Timestamp> {
    Ok(this_data::<JsTimestamp>(this, "Timestamp method")?.0)
}

fn to_string(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(legacy_text(&Bson::Timestamp(ts(this)?)))
}

fn get_t(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(ts(this)?.time))
}

fn get_i(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(ts(this)?.increment))
}

fn to_json(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let t = ts(this)?;
    let inner = ObjectInitializer::new(ctx)
        .property(js_string!("t"), t.time, Attribute::all())
        .property(js_string!("i"), t.increment, Attribute::all())
        .build();
    let obj = ObjectInitializer::new(ctx)
        .property(js_string!("$timestamp"), inner, Attribute::all())
        .build();
    Ok(obj.into())
}
