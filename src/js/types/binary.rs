//! `BinData(subtype, base64)`, `HexData(subtype, hex)`, `UUID([hex])`, `MD5(hex)`: one class,
//! `BinData`; the other three are factory functions returning BinData instances.

use base64::Engine as _;
use boa_engine::class::{Class, ClassBuilder};
use boa_engine::object::ObjectInitializer;
use boa_engine::property::Attribute;
use boa_engine::{js_string, Context, Finalize, JsData, JsObject, JsResult, JsValue, Trace};
use bson::spec::BinarySubtype;
use bson::{Binary, Bson};

use super::common::{construct_any, instance, js_str, legacy_text, this_data};
use super::numbers::add_methods;
use crate::js::args::{self, type_error};
use crate::js::natives::global_fn;

#[derive(Debug, Clone, Trace, Finalize, JsData)]
pub struct JsBinData(#[unsafe_ignore_trace] pub Binary);

fn subtype_arg(v: Option<&JsValue>, func: &str) -> JsResult<u8> {
    Ok(args::whole_number(v, func, "subtype", 255.0, "0-255")? as u8)
}

impl Class for JsBinData {
    const NAME: &'static str = "BinData";
    const LENGTH: usize = 2;

    fn data_constructor(_nt: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<Self> {
        let subtype = subtype_arg(args.first(), "BinData()")?;
        let text = args::string(args, 1, "BinData()", "data")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| type_error(format!("BinData(): invalid base64 {text:?}: {e}")))?;
        Ok(JsBinData(Binary {
            subtype: BinarySubtype::from(subtype),
            bytes,
        }))
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
                ("base64", b64),
                ("hex", hex_of),
                ("subtype", subtype),
                ("length", length),
                ("toJSON", to_json),
            ],
        );
        // `b.type`: the subtype as a property, as legacy scripts read it.
        super::numbers::add_getters(class, &[("type", subtype)]);
        Ok(())
    }
}

pub fn register_factories(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "HexData", 2, hex_data)?;
    global_fn(ctx, "UUID", 1, uuid)?;
    global_fn(ctx, "MD5", 1, md5)?;
    Ok(())
}

fn decode_hex(text: &str, func: &str) -> JsResult<Vec<u8>> {
    hex::decode(text).map_err(|_| type_error(format!("{func}: {text:?} is not a hex string")))
}

fn make(subtype: u8, bytes: Vec<u8>, ctx: &mut Context) -> JsResult<JsValue> {
    instance(
        JsBinData(Binary {
            subtype: BinarySubtype::from(subtype),
            bytes,
        }),
        ctx,
    )
}

fn hex_data(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let subtype = subtype_arg(args.first(), "HexData()")?;
    let text = args::string(args, 1, "HexData()", "data")?;
    let bytes = decode_hex(&text, "HexData()")?;
    make(subtype, bytes, ctx)
}

fn uuid(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let bytes = match args.first().filter(|v| !v.is_undefined()) {
        None => uuid::Uuid::new_v4().as_bytes().to_vec(),
        Some(_) => {
            let text = args::string(args, 0, "UUID()", "argument")?;
            let digits: String = text.chars().filter(|c| *c != '-').collect();
            if digits.len() != 32 {
                return Err(type_error(format!(
                    "UUID(): {text:?} must be 32 hex digits (dashes allowed)"
                )));
            }
            decode_hex(&digits, "UUID()")?
        }
    };
    make(4, bytes, ctx)
}

fn md5(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let text = args::string(args, 0, "MD5()", "argument")?;
    if text.len() != 32 {
        return Err(type_error(format!("MD5(): {text:?} must be 32 hex digits")));
    }
    let bytes = decode_hex(&text, "MD5()")?;
    make(5, bytes, ctx)
}

fn bin(this: &JsValue) -> JsResult<Binary> {
    Ok(this_data::<JsBinData>(this, "BinData method")?.0.clone())
}

fn to_string(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(legacy_text(&Bson::Binary(bin(this)?)))
}

fn b64(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(js_str(
        &base64::engine::general_purpose::STANDARD.encode(bin(this)?.bytes),
    ))
}

fn hex_of(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(js_str(&hex::encode(bin(this)?.bytes)))
}

fn subtype(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(u8::from(bin(this)?.subtype)))
}

fn length(this: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(bin(this)?.bytes.len() as f64))
}

fn to_json(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let b = bin(this)?;
    let inner = ObjectInitializer::new(ctx)
        .property(
            js_string!("base64"),
            js_str(&base64::engine::general_purpose::STANDARD.encode(&b.bytes)),
            Attribute::all(),
        )
        .property(
            js_string!("subType"),
            js_str(&format!("{:02x}", u8::from(b.subtype))),
            Attribute::all(),
        )
        .build();
    let obj = ObjectInitializer::new(ctx)
        .property(js_string!("$binary"), inner, Attribute::all())
        .build();
    Ok(obj.into())
}
