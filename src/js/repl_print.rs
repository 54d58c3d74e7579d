//! Printing a REPL result (the legacy shell's rules).

use boa_engine::{js_string, Context, JsResult, JsValue};

use super::convert::{js_to_display_string, js_to_print_bson, tojson_value, PRINT_STYLE};
use super::format;
use super::host::host;
use super::JsonMode;

/// Print `value` as the REPL shows a result: undefined → nothing, strings raw, numbers and
/// booleans by `ToString`, functions as source, objects with `shellPrint` → that method,
/// others → `tojson` (their own `tojson()` if they have one; coloured when the shell asked for
/// colour). `--json` prints Extended JSON; a cursor prints its next batch as one array.
pub fn print_result(value: &JsValue, ctx: &mut Context) -> JsResult<()> {
    if value.is_undefined() {
        return Ok(());
    }
    let json = host(ctx)?.opts.json;
    let text = match json {
        Some(mode) => {
            // A cursor prints its next batch as one array (its documents, not its fields).
            if let Some(obj) = value.as_object() {
                let json_print = obj.get(js_string!("_shellPrintJson"), ctx)?;
                if let Some(f) = json_print.as_callable() {
                    f.call(value, &[], ctx)?;
                    return Ok(());
                }
            }
            let b = js_to_print_bson(value, ctx)?;
            format::ejson::to_ejson(&b, mode == JsonMode::Canonical)
        }
        None => match value.as_object() {
            None => js_to_display_string(value, ctx),
            Some(obj) => {
                if let Some(text) = crate::js::types::keys::key_value(&obj, ctx)
                    .map(|b| format::tojson(&b, "", false, format::Style::default()))
                {
                    text
                } else if obj.is_callable() {
                    js_to_display_string(value, ctx)
                } else {
                    let shell_print = obj.get(js_string!("shellPrint"), ctx)?;
                    if let Some(f) = shell_print.as_callable() {
                        f.call(value, &[], ctx)?;
                        return Ok(());
                    }
                    if host(ctx)?.opts.color {
                        let b = js_to_print_bson(value, ctx)?;
                        format::color::tojson(&b, "", false, PRINT_STYLE)
                    } else {
                        tojson_value(value, "", None, ctx)?
                    }
                }
            }
        },
    };
    let mut text = text;
    text.push('\n');
    host(ctx)?.write(&text);
    Ok(())
}
