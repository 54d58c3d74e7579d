//! `DBRef(ns, id[, db])`: an object with own fields `$ref`, `$id` (and `$db`), which converts to
//! the `{$ref, $id, $db}` sub-document the server stores.

use boa_engine::class::{Class, ClassBuilder};
use boa_engine::{js_string, Context, Finalize, JsData, JsObject, JsResult, JsValue, Trace};

use super::common::{construct_any, js_str};
use super::numbers::add_methods;
use crate::js::args::{type_error, wrong_type};

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsDbRef;

impl Class for JsDbRef {
    const NAME: &'static str = "DBRef";
    const LENGTH: usize = 2;

    fn data_constructor(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<Self> {
        if args.first().and_then(|v| v.as_string()).is_none() {
            return Err(wrong_type(
                "DBRef()",
                "the collection name",
                "a string",
                args.first(),
            ));
        }
        if args.get(1).is_none_or(|v| v.is_undefined()) {
            return Err(type_error("DBRef(): an id is required"));
        }
        if let Some(db) = args.get(2).filter(|v| !v.is_undefined()) {
            if db.as_string().is_none() {
                return Err(wrong_type(
                    "DBRef()",
                    "the database name",
                    "a string",
                    Some(db),
                ));
            }
        }
        Ok(JsDbRef)
    }

    fn object_constructor(
        obj: &JsObject<Self>,
        args: &[JsValue],
        ctx: &mut Context,
    ) -> JsResult<()> {
        let obj = obj.clone().upcast();
        let undefined = JsValue::undefined();
        obj.define_property_or_throw(
            js_string!("$ref"),
            data(args.first().unwrap_or(&undefined)),
            ctx,
        )?;
        obj.define_property_or_throw(
            js_string!("$id"),
            data(args.get(1).unwrap_or(&undefined)),
            ctx,
        )?;
        if let Some(db) = args.get(2).filter(|v| !v.is_undefined()) {
            obj.define_property_or_throw(js_string!("$db"), data(db), ctx)?;
        }
        Ok(())
    }

    fn construct(nt: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsObject> {
        construct_any::<Self>(nt, args, ctx)
    }

    fn init(class: &mut ClassBuilder<'_>) -> JsResult<()> {
        add_methods(
            class,
            &[
                ("getRef", get_ref),
                ("getCollection", get_ref),
                ("getId", get_id),
                ("getDb", get_db),
                ("toString", to_string),
                ("tojson", to_string),
            ],
        );
        Ok(())
    }
}

fn data(v: &JsValue) -> boa_engine::property::PropertyDescriptor {
    boa_engine::property::PropertyDescriptor::builder()
        .value(v.clone())
        .writable(true)
        .enumerable(true)
        .configurable(true)
        .build()
}

fn field(this: &JsValue, name: &str, ctx: &mut Context) -> JsResult<JsValue> {
    match this.as_object() {
        Some(o) => o.get(js_string!(name), ctx),
        None => Err(type_error("DBRef method called on a non-object")),
    }
}

fn get_ref(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    field(this, "$ref", ctx)
}

fn get_id(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    field(this, "$id", ctx)
}

fn get_db(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    field(this, "$db", ctx)
}

fn to_string(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let text = crate::js::convert::tojson_value(this, "", None, ctx)?;
    Ok(js_str(&text))
}
