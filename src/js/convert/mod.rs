//! Lossless JS ⇄ BSON conversion, in Rust.
//!
//! * BSON → JS ([`bson_to_js`], [`document_to_js`]): documents become plain objects (key order
//!   kept), int32 and double become JS numbers, int64 → `NumberLong`, dates → `Date`, the other
//!   types → the classes of `js::types`.
//! * JS → BSON ([`js_to_bson`], [`js_to_document`]): numbers → Double (as the legacy shell;
//!   `NumberInt`/`NumberLong` give integers), except where the object remembers (see [`hints`]) that a field came from
//!   the server as another type: `rs.conf()` → change one field → `rs.reconfig(cfg)` keeps the
//!   other fields' types.
//! * JS → BSON for printing ([`js_to_print_bson`]): numbers → Double, `NumberInt` → Int32 (print
//!   with `Style { number_int: true }`), functions and objects with their own `tojson()` →
//!   `JavaScriptCode` (printed raw), Errors → their `toString()`, cycles → `[Circular]`.

mod hints;
mod to_bson;
mod to_js;

use boa_engine::{Context, JsResult, JsValue};

pub use hints::install;
pub use to_bson::{js_to_bson, js_to_document, js_to_print_bson};
pub use to_js::{bson_to_js, document_to_js};

use crate::js::format::{self, Style};

/// JS `ToString` of a value, never failing (a throwing `toString` gives `[object]`).
pub fn js_to_display_string(value: &JsValue, ctx: &mut Context) -> String {
    match value.to_string(ctx) {
        Ok(s) => s.to_std_string_escaped(),
        Err(_) => "[object]".to_string(),
    }
}

/// ECMAScript Number-to-String.
pub fn number_text(n: f64) -> String {
    format::js_number(n)
}

/// The style for printing JS-side values: Int32 only comes from `NumberInt()` there.
pub const PRINT_STYLE: Style = Style { number_int: true };

/// Legacy `tojson(value, indent, nolint)` text of a JS value.
pub fn tojson_value(
    value: &JsValue,
    indent: &str,
    nolint: Option<bool>,
    ctx: &mut Context,
) -> JsResult<String> {
    let b = js_to_print_bson(value, ctx)?;
    Ok(format::tojson_js(&b, indent, nolint, PRINT_STYLE))
}
