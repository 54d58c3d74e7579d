//! Natives behind the legacy shell's utility globals: `hex_md5`, `bsonWoCompare`,
//! `bsonBinaryEqual`, `__bsonsize` (for `Object.bsonsize`), `tostrictjson`, `mkdir`,
//! `removeFile`, `copyFile`, `getMemInfo`, `isInteractive`.

use std::cmp::Ordering;
use std::io::IsTerminal;

use boa_engine::{js_string, Context, JsError, JsNativeError, JsObject, JsResult, JsValue};
use bson::Bson;
use md5::{Digest, Md5};

use super::global_fn;
use crate::js::convert::js_to_bson;
use crate::js::types::common::js_str;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "hex_md5", 1, hex_md5)?;
    global_fn(ctx, "bsonWoCompare", 2, wo_compare)?;
    global_fn(ctx, "bsonBinaryEqual", 2, binary_equal)?;
    global_fn(ctx, "__bsonsize", 1, bsonsize)?;
    global_fn(ctx, "tostrictjson", 2, strict_json)?;
    global_fn(ctx, "mkdir", 1, mkdir)?;
    global_fn(ctx, "removeFile", 1, remove_file)?;
    global_fn(ctx, "copyFile", 2, copy_file)?;
    global_fn(ctx, "getMemInfo", 0, mem_info)?;
    global_fn(ctx, "isInteractive", 0, is_interactive)?;
    global_fn(ctx, "__unsupported", 1, unsupported)?;
    Ok(())
}

fn error(msg: impl Into<String>) -> JsError {
    JsNativeError::error().with_message(msg.into()).into()
}

fn string_arg(args: &[JsValue], i: usize, what: &str) -> JsResult<String> {
    args.get(i)
        .and_then(|v| v.as_string())
        .map(|s| s.to_std_string_escaped())
        .ok_or_else(|| error(format!("{what} needs a string argument")))
}

/// `__unsupported(path)`: throws `<path> is not supported by rsh: <reason>` with the reason
/// from the helper table (the stubs of legacy names rsh refuses call it).
fn unsupported(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let path = string_arg(args, 0, "__unsupported")?;
    let reason = crate::helpers::unsupported(&path)
        .map(|u| u.reason)
        .unwrap_or("it is not part of rsh");
    Err(error(format!("{path} is not supported by rsh: {reason}")))
}

fn hex_md5(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let s = string_arg(args, 0, "hex_md5")?;
    Ok(js_str(&hex::encode(Md5::digest(s.as_bytes()))))
}

/// The argument as a BSON document (the legacy natives take objects only).
fn doc_arg(args: &[JsValue], i: usize, what: &str, ctx: &mut Context) -> JsResult<bson::Document> {
    let v = args.get(i).cloned().unwrap_or_default();
    if !v.is_object() {
        return Err(error(format!("{what} needs object arguments")));
    }
    match js_to_bson(&v, ctx)? {
        Bson::Document(d) => Ok(d),
        other => {
            let mut d = bson::Document::new();
            d.insert("", other);
            Ok(d)
        }
    }
}

fn wo_compare(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    if args.len() != 2 {
        return Err(error("bsonWoCompare needs 2 arguments"));
    }
    let a = doc_arg(args, 0, "bsonWoCompare", ctx)?;
    let b = doc_arg(args, 1, "bsonWoCompare", ctx)?;
    Ok(JsValue::from(match compare_docs(&a, &b) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

fn binary_equal(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    if args.len() != 2 {
        return Err(error("bsonBinaryEqual needs 2 arguments"));
    }
    let a = doc_arg(args, 0, "bsonBinaryEqual", ctx)?;
    let b = doc_arg(args, 1, "bsonBinaryEqual", ctx)?;
    let bytes = |d: &bson::Document| bson::to_vec(d).unwrap_or_default();
    Ok(JsValue::from(bytes(&a) == bytes(&b)))
}

fn bsonsize(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let d = doc_arg(args, 0, "Object.bsonsize", ctx)?;
    let n = bson::to_vec(&d).map(|v| v.len()).unwrap_or(0);
    Ok(JsValue::from(n as f64))
}

fn strict_json(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let v = js_to_bson(&args.first().cloned().unwrap_or_default(), ctx)?;
    Ok(js_str(&crate::format::ejson::to_ejson(&v, true)))
}

/// The canonical BSON type order used by comparisons (numbers together, strings with symbols).
fn type_rank(v: &Bson) -> u8 {
    match v {
        Bson::MinKey => 0,
        Bson::Undefined | Bson::Null => 1,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => 2,
        Bson::String(_) | Bson::Symbol(_) => 3,
        Bson::Document(_) => 4,
        Bson::Array(_) => 5,
        Bson::Binary(_) => 6,
        Bson::ObjectId(_) => 7,
        Bson::Boolean(_) => 8,
        Bson::DateTime(_) => 9,
        Bson::Timestamp(_) => 10,
        Bson::RegularExpression(_) => 11,
        Bson::DbPointer(_) => 12,
        Bson::JavaScriptCode(_) => 13,
        Bson::JavaScriptCodeWithScope(_) => 14,
        Bson::MaxKey => 15,
    }
}

fn as_f64(v: &Bson) -> f64 {
    match v {
        Bson::Int32(i) => f64::from(*i),
        Bson::Int64(i) => *i as f64,
        Bson::Double(d) => *d,
        Bson::Decimal128(d) => d.to_string().parse().unwrap_or(f64::NAN),
        _ => 0.0,
    }
}

/// Number order with NaN below every other number (as the server orders them).
fn compare_numbers(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

pub fn compare_values(a: &Bson, b: &Bson) -> Ordering {
    let rank = type_rank(a).cmp(&type_rank(b));
    if rank != Ordering::Equal {
        return rank;
    }
    match (a, b) {
        (Bson::Int64(x), Bson::Int64(y)) => x.cmp(y),
        (Bson::Int32(x), Bson::Int32(y)) => x.cmp(y),
        _ if type_rank(a) == 2 => compare_numbers(as_f64(a), as_f64(b)),
        (Bson::String(x) | Bson::Symbol(x), Bson::String(y) | Bson::Symbol(y)) => x.cmp(y),
        (Bson::Document(x), Bson::Document(y)) => compare_docs(x, y),
        (Bson::Array(x), Bson::Array(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = compare_values(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Bson::Binary(x), Bson::Binary(y)) => x
            .bytes
            .len()
            .cmp(&y.bytes.len())
            .then(u8::from(x.subtype).cmp(&u8::from(y.subtype)))
            .then(x.bytes.cmp(&y.bytes)),
        (Bson::ObjectId(x), Bson::ObjectId(y)) => x.bytes().cmp(&y.bytes()),
        (Bson::Boolean(x), Bson::Boolean(y)) => x.cmp(y),
        (Bson::DateTime(x), Bson::DateTime(y)) => x.cmp(y),
        (Bson::Timestamp(x), Bson::Timestamp(y)) => {
            (x.time, x.increment).cmp(&(y.time, y.increment))
        }
        (Bson::RegularExpression(x), Bson::RegularExpression(y)) => {
            (&x.pattern, &x.options).cmp(&(&y.pattern, &y.options))
        }
        (Bson::JavaScriptCode(x), Bson::JavaScriptCode(y)) => x.cmp(y),
        (Bson::JavaScriptCodeWithScope(x), Bson::JavaScriptCodeWithScope(y)) => x
            .code
            .cmp(&y.code)
            .then_with(|| compare_docs(&x.scope, &y.scope)),
        _ => Ordering::Equal,
    }
}

/// Field by field: type, then name, then value; a shorter document sorts first.
pub fn compare_docs(a: &bson::Document, b: &bson::Document) -> Ordering {
    let mut x = a.iter();
    let mut y = b.iter();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((ka, va)), Some((kb, vb))) => {
                let o = type_rank(va)
                    .cmp(&type_rank(vb))
                    .then_with(|| ka.cmp(kb))
                    .then_with(|| compare_values(va, vb));
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

fn mkdir(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let path = string_arg(args, 0, "mkdir")?;
    let existed = std::path::Path::new(&path).is_dir();
    std::fs::create_dir_all(&path).map_err(|e| error(format!("mkdir {path}: {e}")))?;
    let o = JsObject::with_object_proto(ctx.intrinsics());
    o.set(js_string!("exists"), existed, false, ctx)?;
    o.set(js_string!("created"), !existed, false, ctx)?;
    Ok(o.into())
}

fn remove_file(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let path = string_arg(args, 0, "removeFile")?;
    let p = std::path::Path::new(&path);
    let r = if p.is_dir() {
        std::fs::remove_dir_all(p)
    } else {
        std::fs::remove_file(p)
    };
    match r {
        Ok(()) => Ok(JsValue::from(true)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(JsValue::from(false)),
        Err(e) => Err(error(format!("removeFile {path}: {e}"))),
    }
}

fn copy_file(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let from = string_arg(args, 0, "copyFile")?;
    let to = string_arg(args, 1, "copyFile")?;
    std::fs::copy(&from, &to).map_err(|e| error(format!("copyFile {from} {to}: {e}")))?;
    Ok(JsValue::undefined())
}

/// `{virtual, resident}` in MiB from /proc/self/status (0 where unknown), as the legacy shell.
fn mem_info(_: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<f64>().ok())
            .map(|kib| (kib / 1024.0).round())
            .unwrap_or(0.0)
    };
    let o = JsObject::with_object_proto(ctx.intrinsics());
    o.set(js_string!("virtual"), field("VmSize:"), false, ctx)?;
    o.set(js_string!("resident"), field("VmRSS:"), false, ctx)?;
    o.set(js_string!("bits"), 64, false, ctx)?;
    Ok(o.into())
}

fn is_interactive(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(std::io::stdin().is_terminal()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn order_follows_types_then_values() {
        assert_eq!(
            compare_docs(&doc! {"a": 1}, &doc! {"a": 2.5}),
            Ordering::Less
        );
        assert_eq!(
            compare_docs(&doc! {"a": 1}, &doc! {"a": 1.0}),
            Ordering::Equal
        );
        assert_eq!(
            compare_docs(&doc! {"a": "x"}, &doc! {"a": 5}),
            Ordering::Greater
        );
        assert_eq!(
            compare_docs(&doc! {"a": f64::NAN}, &doc! {"a": -1e300}),
            Ordering::Less
        );
        assert_eq!(compare_docs(&doc! {}, &doc! {"a": 1}), Ordering::Less);
        assert_eq!(
            compare_docs(&doc! {"a": [1, 2]}, &doc! {"a": [1, 3]}),
            Ordering::Less
        );
    }
}
