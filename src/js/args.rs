//! Arguments and errors of native functions (the `natives/` groups and the BSON classes in
//! `types/`): reading `args[i]`, checking its type with one wording, and the two error kinds.
//!
//! Argument checks say which function and which argument: `"BinData(): data must be a string,
//! got 12"`. Legacy messages that a test or a script may match (`sleep takes a single numeric
//! argument -- sleep(milliseconds)`) are written out where they are thrown, with [`error`].

use boa_engine::{Context, JsError, JsNativeError, JsResult, JsValue};

/// Argument `i`, `undefined` when missing.
pub fn arg(args: &[JsValue], i: usize) -> JsValue {
    args.get(i).cloned().unwrap_or_default()
}

/// A JS `Error` with `msg`.
pub fn error(msg: impl Into<String>) -> JsError {
    JsNativeError::error().with_message(msg.into()).into()
}

/// A JS `TypeError` with `msg`.
pub fn type_error(msg: impl Into<String>) -> JsError {
    JsNativeError::typ().with_message(msg.into()).into()
}

/// `"{func}: {what} must be {expected}, got {v}"`: the wording of every argument check.
pub fn wrong(func: &str, what: &str, expected: &str, v: Option<&JsValue>) -> String {
    format!("{func}: {what} must be {expected}, got {}", describe(v))
}

/// A `TypeError` saying argument `v` of `func` is not `expected` (see [`wrong`]).
pub fn wrong_type(func: &str, what: &str, expected: &str, v: Option<&JsValue>) -> JsError {
    type_error(wrong(func, what, expected, v))
}

/// Argument `i` as a Rust string, if it is a JS string.
pub fn opt_string(args: &[JsValue], i: usize) -> Option<String> {
    args.get(i)
        .and_then(|v| v.as_string())
        .map(|s| s.to_std_string_escaped())
}

/// Argument `i`, which must be a JS string (a `TypeError` naming `func` and `what` otherwise).
pub fn string(args: &[JsValue], i: usize, func: &str, what: &str) -> JsResult<String> {
    opt_string(args, i).ok_or_else(|| wrong_type(func, what, "a string", args.get(i)))
}

/// Argument `i`, which must be a JS number (a `TypeError` naming `func` and `what` otherwise).
pub fn number(args: &[JsValue], i: usize, func: &str, what: &str) -> JsResult<f64> {
    args.get(i)
        .and_then(|v| v.as_number())
        .ok_or_else(|| wrong_type(func, what, "a number", args.get(i)))
}

/// `v` as a whole number from 0 to `max`; the `TypeError` names `func` and `what`, and says
/// the range as `range` does (`"0-255"`, `"between 0 and 4294967295"`).
pub fn whole_number(
    v: Option<&JsValue>,
    func: &str,
    what: &str,
    max: f64,
    range: &str,
) -> JsResult<f64> {
    let n = v
        .and_then(|v| v.as_number())
        .ok_or_else(|| wrong_type(func, what, "a number", v))?;
    if n.fract() != 0.0 || !(0.0..=max).contains(&n) {
        return Err(type_error(format!(
            "{func}: {what} must be an integer {range}, got {}",
            crate::format::js_number(n)
        )));
    }
    Ok(n)
}

/// Argument `i` converted as JS `String(x)` does (for the prelude's own calls into natives,
/// which pass names it has already checked).
pub fn to_string(args: &[JsValue], i: usize, ctx: &mut Context) -> JsResult<String> {
    Ok(arg(args, i).to_string(ctx)?.to_std_string_escaped())
}

/// Short description of a value for error messages (`"abc"`, `12`, `an object`).
pub fn describe(v: Option<&JsValue>) -> String {
    match v {
        None => "nothing".to_string(),
        Some(v) if v.is_undefined() => "undefined".to_string(),
        Some(v) if v.is_null() => "null".to_string(),
        Some(v) => {
            if let Some(s) = v.as_string() {
                format!("{:?}", s.to_std_string_escaped())
            } else if let Some(n) = v.as_number() {
                crate::js::convert::number_text(n)
            } else if v.is_boolean() {
                format!("{}", v.to_boolean())
            } else {
                "an object".to_string()
            }
        }
    }
}

/// Puts `value` on `obj` as built-in methods are (writable, configurable, not enumerable), so a
/// replaced or added method lists and deletes like the engine's own.
pub fn define_builtin(
    obj: &boa_engine::JsObject,
    key: impl Into<boa_engine::property::PropertyKey>,
    value: impl Into<JsValue>,
    ctx: &mut Context,
) -> JsResult<()> {
    obj.define_property_or_throw(
        key,
        boa_engine::property::PropertyDescriptor::builder()
            .value(value)
            .writable(true)
            .enumerable(false)
            .configurable(true),
        ctx,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use boa_engine::js_string;

    fn message(e: JsError) -> (String, String) {
        let native = e.as_native().expect("a native error");
        (native.kind().to_string(), native.message().to_string())
    }

    #[test]
    fn typed_getters_name_the_function_and_the_argument() {
        let args = [JsValue::from(js_string!("x")), JsValue::from(12)];
        assert_eq!(string(&args, 0, "f()", "name").ok(), Some("x".to_string()));
        assert_eq!(number(&args, 1, "f()", "size").ok(), Some(12.0));
        let e = string(&args, 1, "BinData()", "data").expect_err("not a string");
        assert_eq!(
            message(e),
            (
                "TypeError".to_string(),
                "BinData(): data must be a string, got 12".to_string()
            )
        );
        assert_eq!(
            whole_number(args.get(1), "f()", "n", 12.0, "0-12").ok(),
            Some(12.0)
        );
        let e = whole_number(args.get(1), "f()", "n", 11.0, "0-11").expect_err("too big");
        assert_eq!(message(e).1, "f(): n must be an integer 0-11, got 12");
        let e = number(&args, 2, "f()", "size").expect_err("missing");
        assert_eq!(message(e).1, "f(): size must be a number, got nothing");
        assert!(arg(&args, 5).is_undefined());
        assert_eq!(message(error("boom")).0, "Error");
    }

    #[test]
    fn descriptions() {
        assert_eq!(describe(None), "nothing");
        assert_eq!(describe(Some(&JsValue::undefined())), "undefined");
        assert_eq!(describe(Some(&JsValue::null())), "null");
        assert_eq!(describe(Some(&js_string!("a").into())), "\"a\"");
        assert_eq!(describe(Some(&JsValue::from(true))), "true");
    }
}
