//! `__argPaths(prefix)` and `__args(spec, arguments, receiver)`: the argument checks of the
//! db, collection and cursor helpers, read from the helper table's argument specs
//! (`helpers::arg_specs`). The prelude wraps each helper that has a spec (`prelude/args.js`),
//! so a wrong argument throws before the helper's own code runs and nothing is sent.
//! The wrappers pass the spec's index (from `__argPaths`): a check is a lookup, not a search.

use std::sync::OnceLock;

use boa_engine::object::builtins::JsArray;
use boa_engine::{js_string, Context, JsResult, JsValue};

use super::global_fn;
use crate::helpers::arg_specs::{self, Kind, Param};
use crate::js::args::{error, number, string, type_error};
use crate::js::types::common::js_str;
use crate::js::types::numbers::{JsNumberDecimal, JsNumberInt, JsNumberLong};

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__args", 3, check_args)?;
    global_fn(ctx, "__argPaths", 1, arg_paths)?;
    Ok(())
}

/// Every spec of `ARG_SPECS`, parsed once, in the same order.
fn parsed() -> &'static [Vec<Param>] {
    static PARSED: OnceLock<Vec<Vec<Param>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        arg_specs::ARG_SPECS
            .iter()
            .map(|(_, s)| arg_specs::parse(s).unwrap_or_default())
            .collect()
    })
}

/// `__argPaths("db.collection.")`: `[name, spec index]` of each method under that prefix
/// that has a spec.
fn arg_paths(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let prefix = string(args, 0, "__argPaths()", "prefix")?;
    let mut out = Vec::new();
    for (i, (path, _)) in arg_specs::ARG_SPECS.iter().enumerate() {
        let Some(rest) = path.strip_prefix(prefix.as_str()) else {
            continue;
        };
        if !rest.contains('.') {
            let pair = [js_str(rest), JsValue::from(i as u32)];
            out.push(JsValue::from(JsArray::from_iter(pair, ctx)));
        }
    }
    Ok(JsArray::from_iter(out, ctx).into())
}

/// `__args(spec, arguments, receiver)`: throws when an argument does not fit spec number
/// `spec`; returns `undefined` otherwise.
fn check_args(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let index = number(args, 0, "__args()", "spec")?;
    let Some((path, _)) = arg_specs::ARG_SPECS.get(index as usize) else {
        return Ok(JsValue::undefined());
    };
    let (path, params) = (*path, &parsed()[index as usize]);
    let values = list(args.get(1), ctx)?;
    if params.is_empty() {
        if values.iter().any(|v| !v.is_undefined()) {
            let shown = shown_name(path, args.get(2), ctx);
            return Err(type_error(format!("{shown}(): takes no arguments")));
        }
        return Ok(JsValue::undefined());
    }
    for (i, p) in params.iter().enumerate() {
        let v = values.get(i).cloned().unwrap_or_default();
        if fits(p, &v) {
            continue;
        }
        if let Some(text) = p.legacy {
            return Err(error(text));
        }
        let shown = shown_name(path, args.get(2), ctx);
        let names: Vec<&str> = params[..=i].iter().map(|p| p.name).collect();
        return Err(type_error(format!(
            "{shown}({}): {} must be {}",
            names.join(", "),
            p.name,
            p.expected()
        )));
    }
    Ok(JsValue::undefined())
}

/// Whether `v` is an acceptable value for `p` (a left-out optional argument is).
fn fits(p: &Param, v: &JsValue) -> bool {
    if v.is_undefined() || v.is_null() {
        return p.optional;
    }
    p.kinds.iter().any(|k| is_kind(*k, v))
}

fn is_kind(kind: Kind, v: &JsValue) -> bool {
    match kind {
        Kind::Any => !v.is_undefined(),
        Kind::String => v.is_string(),
        Kind::Boolean => v.is_boolean(),
        Kind::Number => {
            v.is_number()
                || v.as_object().is_some_and(|o| {
                    o.is::<JsNumberLong>() || o.is::<JsNumberInt>() || o.is::<JsNumberDecimal>()
                })
        }
        Kind::Function => v.is_callable(),
        Kind::Array => v.as_object().is_some_and(|o| o.is_array()),
        Kind::Document => v
            .as_object()
            .is_some_and(|o| !o.is_array() && !o.is_callable()),
    }
}

/// The values of an `arguments` object (or any array-like).
fn list(v: Option<&JsValue>, ctx: &mut Context) -> JsResult<Vec<JsValue>> {
    let Some(obj) = v.and_then(|v| v.as_object()) else {
        return Ok(Vec::new());
    };
    let len = obj.get(js_string!("length"), ctx)?.to_length(ctx)?;
    // A helper takes a handful of arguments; never walk a huge array-like.
    let len = len.min(64);
    (0..len).map(|i| obj.get(i, ctx)).collect()
}

/// The helper as the user wrote it: as its signature in the helper table names it
/// (`conn.getDB`, `bulk.find`), and `db.collection.insertOne` on collection `t` as
/// `db.t.insertOne` (`db.t.explain().remove` on the explainable of `t`).
fn shown_name(path: &str, receiver: Option<&JsValue>, ctx: &mut Context) -> String {
    let Some(method) = path.strip_prefix("db.collection.") else {
        return crate::helpers::find(path)
            .and_then(|h| h.signature.split('(').next())
            .unwrap_or(path)
            .to_string();
    };
    if let Some(n) = short_name(receiver, ctx) {
        return format!("db.{n}.{method}");
    }
    let collection = receiver
        .and_then(|r| r.as_object())
        .and_then(|o| o.get(js_string!("_collection"), ctx).ok());
    match short_name(collection.as_ref(), ctx) {
        Some(n) => format!("db.{n}.explain().{method}"),
        None => path.to_string(),
    }
}

/// `_shortName` of a collection object.
fn short_name(v: Option<&JsValue>, ctx: &mut Context) -> Option<String> {
    v.and_then(|r| r.as_object())
        .and_then(|o| o.get(js_string!("_shortName"), ctx).ok())
        .and_then(|n| n.as_string().map(|s| s.to_std_string_escaped()))
}
