//! RegExp pattern text: the pattern as written, its `source` form, and the BSON options.
//!
//! The engine's `source` getter escapes every `/`, even one already escaped, so `/^\/var/`
//! reports `^\\/var` (a literal backslash). The pattern as written is recovered from that text
//! (a `\/` there always stands for a `/` of the original), and `source`/`toString` are replaced
//! by versions that escape only what needs escaping, as V8 and SpiderMonkey do.

use boa_engine::object::builtins::JsRegExp;
use boa_engine::object::JsObject;
use boa_engine::property::PropertyDescriptor;
use boa_engine::{js_string, Context, JsResult, JsString, JsValue, NativeFunction};

use crate::format::write_regex_source;

use crate::js::args::type_error;

/// JS flags in the order the `flags` getter lists them.
const JS_FLAGS: &str = "dgimsuvy";
/// Options a BSON regular expression may carry that JS knows too.
const SHARED_OPTIONS: &str = "imsu";

/// The pattern of a RegExp as it was written (or as the server sent it).
pub fn pattern(re: &JsObject, ctx: &mut Context) -> JsResult<String> {
    let re = JsRegExp::from_object(re.clone())?;
    let engine_source = re.source(ctx)?;
    Ok(unescape_engine_source(&engine_source))
}

/// The JS flags of a RegExp (`"gi"`), in the engine's order.
pub fn flags(re: &JsObject, ctx: &mut Context) -> JsResult<String> {
    JsRegExp::from_object(re.clone())?.flags(ctx)
}

/// Undo the engine's blanket `/` → `\/`: in its output every `\/` stands for one `/`, every
/// other backslash is the original's.
fn unescape_engine_source(s: &str) -> String {
    if s == "(?:)" {
        return String::new();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'/') {
            continue;
        }
        out.push(c);
    }
    out
}

/// The pattern as [`pattern`] reports it after the engine compiled `p`: line terminators come
/// back as escapes (same meaning, different text).
pub fn as_reported(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// The JS `source` text of a pattern (what goes between the slashes).
pub fn source_text(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 2);
    write_regex_source(&mut out, pattern);
    out
}

/// BSON options from JS flags: the shared ones (`imsu`) in alphabetical order; JS-only flags
/// (`g`, `y`, `d`, `v`) mean nothing to a server and are left out.
pub fn bson_options(js_flags: &str) -> String {
    let mut opts: Vec<char> = js_flags
        .chars()
        .filter(|c| SHARED_OPTIONS.contains(*c))
        .collect();
    opts.sort_unstable();
    opts.dedup();
    opts.into_iter().collect()
}

/// The JS flags a BSON regex can be compiled with (its shared options).
pub fn js_flags_of_options(options: &str) -> String {
    JS_FLAGS
        .chars()
        .filter(|c| SHARED_OPTIONS.contains(*c) && options.contains(*c))
        .collect()
}

/// Flags for printing: the JS flags, then any BSON-only options (`x`, `l`) in their order.
pub fn print_flags(js_flags: &str, bson_options: Option<&str>) -> String {
    let mut out = js_flags.to_string();
    for c in bson_options.unwrap_or("").chars() {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}

/// Replace `RegExp.prototype.source` and `RegExp.prototype.toString` with correct versions.
pub fn register(ctx: &mut Context) -> JsResult<()> {
    let proto = ctx.intrinsics().constructors().regexp().prototype();
    let getter = NativeFunction::from_fn_ptr(get_source).to_js_function(ctx.realm());
    proto.define_property_or_throw(
        js_string!("source"),
        PropertyDescriptor::builder()
            .get(getter)
            .enumerable(false)
            .configurable(true),
        ctx,
    )?;
    let to_string = NativeFunction::from_fn_ptr(regexp_to_string).to_js_function(ctx.realm());
    crate::js::args::define_builtin(&proto, js_string!("toString"), to_string, ctx)
}

fn this_regexp(this: &JsValue) -> Option<JsObject> {
    this.as_object()
        .filter(|o| o.is::<boa_engine::builtins::regexp::RegExp>())
}

fn get_source(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let Some(re) = this_regexp(this) else {
        // RegExp.prototype itself answers "(?:)" by the standard.
        if this.as_object().is_some_and(|o| {
            JsObject::equals(&o, &ctx.intrinsics().constructors().regexp().prototype())
        }) {
            return Ok(js_string!("(?:)").into());
        }
        return Err(type_error(
            "RegExp.prototype.source getter called on a non-RegExp",
        ));
    };
    Ok(JsString::from(source_text(&pattern(&re, ctx)?)).into())
}

fn regexp_to_string(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let Some(obj) = this.as_object() else {
        return Err(type_error(
            "RegExp.prototype.toString called on a non-object",
        ));
    };
    // The standard reads `source` and `flags` as properties (so subclasses may override them).
    let source = obj.get(js_string!("source"), ctx)?.to_string(ctx)?;
    let flags = obj.get(js_string!("flags"), ctx)?.to_string(ctx)?;
    Ok(JsString::from(format!(
        "/{}/{}",
        source.to_std_string_escaped(),
        flags.to_std_string_escaped()
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_source_unescaped() {
        assert_eq!(unescape_engine_source(r"^\\/var\\/log"), r"^\/var\/log");
        assert_eq!(unescape_engine_source(r"a\/b"), "a/b");
        assert_eq!(unescape_engine_source(r"[\/]"), "[/]");
        assert_eq!(unescape_engine_source("(?:)"), "");
        assert_eq!(unescape_engine_source(r"a\\\/b"), r"a\\/b");
    }

    #[test]
    fn options() {
        assert_eq!(bson_options("gimsuy"), "imsu");
        assert_eq!(bson_options("smi"), "ims");
        assert_eq!(js_flags_of_options("xsmi"), "ims");
        assert_eq!(print_flags("gi", Some("ix")), "gix");
        assert_eq!(source_text("^/var/log"), r"^\/var\/log");
        assert_eq!(source_text(r"^\/var"), r"^\/var");
    }
}
