//! JS ⇄ BSON conversion.

use boa_engine::{Context, JsValue};

/// JS `ToString` of a value, never failing (a throwing `toString` gives `[object]`).
pub fn js_to_display_string(value: &JsValue, ctx: &mut Context) -> String {
    match value.to_string(ctx) {
        Ok(s) => s.to_std_string_escaped(),
        Err(_) => "[object]".to_string(),
    }
}
