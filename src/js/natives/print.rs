//! `print`, `printjson`, `printjsononeline`, `tojson`, `tojsononeline`. All formatting is done
//! by the format layer through `convert::tojson_value`.

use boa_engine::{Context, JsResult, JsValue};

use crate::js::args::arg;
use crate::js::convert::tojson_value;
use crate::js::host::{check_interrupt, host};
use crate::js::types::common::js_str;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    super::global_fn(ctx, "print", 0, print)?;
    super::global_fn(ctx, "printjson", 1, printjson)?;
    super::global_fn(ctx, "printjsononeline", 1, printjsononeline)?;
    super::global_fn(ctx, "tojson", 3, tojson)?;
    super::global_fn(ctx, "tojsononeline", 1, tojsononeline)?;
    super::global_fn(ctx, "__printResult", 1, print_result)?;
    Ok(())
}

/// `__printResult(v)`: print `v` as the REPL prints a result (legacy shapes, colour, --json), for
/// prelude objects whose `shellPrint` shows a computed value (an explain query's plan).
fn print_result(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    crate::js::repl_print::print_result(&arg(args, 0), ctx)?;
    Ok(JsValue::undefined())
}

/// `print(a, b, …)`: arguments joined by one space, then a newline; `null` and `undefined`
/// print as their names.
fn print(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let mut line = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        line.push_str(&arg.to_string(ctx)?.to_std_string_escaped());
    }
    line.push('\n');
    host(ctx)?.write(&line);
    Ok(JsValue::undefined())
}

fn printjson(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let mut text = tojson_value(&arg(args, 0), "", None, ctx)?;
    text.push('\n');
    host(ctx)?.write(&text);
    Ok(JsValue::undefined())
}

fn printjsononeline(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let mut text = tojson_value(&arg(args, 0), " ", Some(true), ctx)?;
    text.push('\n');
    host(ctx)?.write(&text);
    Ok(JsValue::undefined())
}

/// `tojson(x[, indent, nolint])`.
fn tojson(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let indent = match args.get(1) {
        Some(v) if !v.is_null_or_undefined() => v.to_string(ctx)?.to_std_string_escaped(),
        _ => String::new(),
    };
    let nolint = match args.get(2) {
        Some(v) if !v.is_undefined() => Some(v.to_boolean()),
        _ => None,
    };
    Ok(js_str(&tojson_value(&arg(args, 0), &indent, nolint, ctx)?))
}

fn tojsononeline(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    Ok(js_str(&tojson_value(&arg(args, 0), " ", Some(true), ctx)?))
}
