//! `print`, `printjson`, `printjsononeline`, `tojson`, `tojsononeline`.

use boa_engine::{Context, JsResult, JsValue};

use crate::js::convert::js_to_display_string;
use crate::js::host::{check_interrupt, host};

pub fn register(ctx: &mut Context) -> JsResult<()> {
    super::global_fn(ctx, "print", 0, print)?;
    Ok(())
}

/// `print(a, b, …)`: arguments joined by one space, then a newline; `null`/`undefined` print
/// `[unknown type]` (legacy behaviour).
fn print(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let mut line = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        if arg.is_null_or_undefined() {
            line.push_str("[unknown type]");
        } else {
            line.push_str(&arg.to_string(ctx)?.to_std_string_escaped());
        }
    }
    line.push('\n');
    host(ctx)?.write(&line);
    Ok(JsValue::undefined())
}

#[allow(dead_code)]
fn display(v: &JsValue, ctx: &mut Context) -> String {
    js_to_display_string(v, ctx)
}
