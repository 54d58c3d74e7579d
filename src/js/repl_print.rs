//! Printing a REPL result (legacy rules, reference section 2).

use boa_engine::{Context, JsResult, JsValue};

use super::convert::js_to_display_string;
use super::host::host;

/// Print `value` as the REPL shows a result: undefined → nothing, strings raw, numbers and
/// booleans by `ToString`, objects formatted.
pub fn print_result(value: &JsValue, ctx: &mut Context) -> JsResult<()> {
    if value.is_undefined() {
        return Ok(());
    }
    let mut text = js_to_display_string(value, ctx);
    text.push('\n');
    host(ctx)?.write(&text);
    Ok(())
}
