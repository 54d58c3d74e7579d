//! Depth limits for the engine's recursive parts: its parser (source nesting, also for
//! `eval` and `new Function` through [`SourceDepthHooks`]), and the built-ins that walk nested
//! values natively (`JSON.stringify`, `String(array)`, `join`, `flat`). Past a limit they throw
//! a catchable `InternalError: too much recursion` instead of overflowing the native stack.

use std::cell::Cell;
use std::collections::HashSet;

use boa_engine::context::HostHooks;
use boa_engine::object::builtins::JsArray;
use boa_engine::object::JsObject;
use boa_engine::realm::Realm;
use boa_engine::{
    js_string, Context, Finalize, JsError, JsNativeError, JsResult, JsString, JsValue,
    NativeFunction, Trace,
};

/// Nesting of brackets in source code, and of values walked by the built-ins, allowed at most.
pub const MAX_NESTING: usize = 10_000;
/// Operators in one statement (the parser nests binary and unary expressions natively).
pub const MAX_OPERATORS: usize = 50_000;

/// The catchable error for a too-deep structure or source (SpiderMonkey's wording).
pub fn too_much_recursion(ctx: &mut Context) -> JsError {
    let err: JsError = JsNativeError::error()
        .with_message("too much recursion")
        .into();
    let Some(obj) = err
        .clone()
        .into_opaque(ctx)
        .ok()
        .and_then(|v| v.as_object())
    else {
        return err;
    };
    let _ = obj.set(js_string!("name"), js_string!("InternalError"), false, ctx);
    JsError::from_opaque(obj.into())
}

/// An engine error for running out of frames or value stack, which the engine unwinds past
/// every `catch`, as the catchable `InternalError: too much recursion`. The engine stops that
/// unwinding at the first native that called into JavaScript, so a native passing its callee's
/// error through here (`load`) makes the error catchable above it; other errors pass unchanged.
pub fn catchable_limit(err: JsError, ctx: &mut Context) -> JsError {
    use boa_engine::error::{EngineError, RuntimeLimitError};
    match err.as_engine() {
        Some(EngineError::RuntimeLimit(
            RuntimeLimitError::Recursion | RuntimeLimitError::StackSize,
        )) => too_much_recursion(ctx),
        _ => err,
    }
}

/// The engine's host hooks with one change: source text handed to `eval` or `new Function`
/// is depth-checked before the engine's (recursive) parser sees it.
pub struct SourceDepthHooks;

impl HostHooks for SourceDepthHooks {
    fn ensure_can_compile_strings(
        &self,
        _realm: Realm,
        parameters: &[JsString],
        body: &JsString,
        _direct: bool,
        ctx: &mut Context,
    ) -> JsResult<()> {
        // Parameters (default values may nest too) and body are parsed separately.
        let too_deep = parameters
            .iter()
            .chain(std::iter::once(body))
            .any(|text| source_chars_too_deep(text.as_str().code_points_lossy()).is_some());
        if too_deep {
            return Err(too_much_recursion(ctx));
        }
        Ok(())
    }
}

/// Where source code nests deeper than the parser can take: `(line, column)` (1-based) of the
/// place the limit is passed.
pub fn source_too_deep(code: &str) -> Option<(usize, usize)> {
    source_chars_too_deep(code.chars())
}

fn source_chars_too_deep(chars: impl Iterator<Item = char>) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut ops = 0usize;
    let (mut line, mut col) = (1usize, 0usize);
    let mut chars = chars.peekable();
    // Inside a string or comment: its closing delimiter.
    let mut quote: Option<char> = None;
    let mut line_comment = false;
    let mut block_comment = false;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            col = 0;
            line_comment = false;
        } else {
            col += 1;
        }
        if line_comment {
            continue;
        }
        if block_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                col += 1;
                block_comment = false;
            }
            continue;
        }
        if let Some(q) = quote {
            if c == '\\' {
                if chars.next() == Some('\n') {
                    line += 1;
                    col = 0;
                } else {
                    col += 1;
                }
            } else if c == q {
                quote = None;
            } else if q == '`' && c == '$' && chars.peek() == Some(&'{') {
                // A template substitution nests like a bracket; its end is not tracked, so
                // the rest of the template counts as code (over-counting only).
                quote = None;
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'/') => line_comment = true,
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                col += 1;
                block_comment = true;
            }
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                ops = 0;
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                ops = 0;
            }
            ';' | ',' => ops = 0,
            '+' | '-' | '*' | '/' | '%' | '=' | '!' | '~' | '?' | ':' | '&' | '|' | '^' | '<'
            | '>' => ops += 1,
            _ => {}
        }
        if depth > MAX_NESTING || ops > MAX_OPERATORS {
            return Some((line, col));
        }
    }
    None
}

thread_local! {
    /// Nesting of the guarded built-ins currently running on this thread.
    static ACTIVE: Cell<usize> = const { Cell::new(0) };
}

/// Replace the built-ins that recurse natively with guarded versions.
pub fn register(ctx: &mut Context) -> JsResult<()> {
    let array_proto = ctx.intrinsics().constructors().array().prototype();
    for name in ["join", "toString", "toLocaleString"] {
        guard_method(&array_proto, name, Pre::None, ctx)?;
    }
    guard_method(&array_proto, "flat", Pre::ArrayDepth, ctx)?;
    // Built-ins that call back into JavaScript: the engine's frame-limit error reaches them
    // before any `catch`, and the guard turns it into the catchable error.
    for name in CALLBACK_METHODS {
        guard_method(&array_proto, name, Pre::None, ctx)?;
    }
    let function_proto = ctx.intrinsics().constructors().function().prototype();
    for name in ["call", "apply"] {
        guard_method(&function_proto, name, Pre::None, ctx)?;
    }
    let json = ctx.intrinsics().objects().json();
    guard_method(&json, "stringify", Pre::ValueDepth, ctx)?;
    Ok(())
}

/// Array methods taking a callback (`try { a.forEach(function r() { r() }) } catch (e) {}`
/// catches the recursion error); `Function.prototype.call` and `apply` are guarded the same way.
const CALLBACK_METHODS: [&str; 13] = [
    "forEach",
    "map",
    "filter",
    "some",
    "every",
    "reduce",
    "reduceRight",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flatMap",
    "sort",
];

/// A check made before the original runs, for built-ins whose recursion stays inside the
/// engine (no property lookup the guard could see).
#[derive(Clone, Copy)]
enum Pre {
    None,
    /// `flat(depth)`: the nesting of arrays in `this`.
    ArrayDepth,
    /// `JSON.stringify(value)`: the nesting of objects and arrays in the first argument.
    ValueDepth,
}

/// What a guarded built-in keeps: the original function and its pre-check.
#[derive(Trace, Finalize)]
struct Guarded {
    original: JsObject,
    #[unsafe_ignore_trace]
    pre: Pre,
}

fn guard_method(obj: &JsObject, name: &str, pre: Pre, ctx: &mut Context) -> JsResult<()> {
    let key = JsString::from(name);
    let original = obj.get(key.clone(), ctx)?;
    let Some(original) = original.as_object() else {
        return Ok(());
    };
    let length = original.get(js_string!("length"), ctx)?;
    let f = NativeFunction::from_copy_closure_with_captures(
        move |this, args, guarded, ctx| {
            let too_deep = match guarded.pre {
                Pre::None => false,
                Pre::ArrayDepth => nesting(this, true, ctx)? > MAX_NESTING,
                Pre::ValueDepth => {
                    nesting(args.first().unwrap_or(&JsValue::undefined()), false, ctx)?
                        > MAX_NESTING
                }
            };
            let depth = ACTIVE.with(|a| a.get());
            // `String(array)` goes through two guarded built-ins per level (toString, join).
            if too_deep || depth >= 2 * MAX_NESTING {
                return Err(too_much_recursion(ctx));
            }
            ACTIVE.with(|a| a.set(depth + 1));
            let result = guarded
                .original
                .call(this, args, ctx)
                .map_err(|e| catchable_limit(e, ctx));
            ACTIVE.with(|a| a.set(depth));
            result
        },
        Guarded {
            original: original.clone(),
            pre,
        },
    );
    let function = boa_engine::object::FunctionObjectBuilder::new(ctx.realm(), f)
        .name(key.clone())
        .length(length.as_number().unwrap_or(0.0) as usize)
        .build();
    crate::js::args::define_builtin(obj, key, function, ctx)
}

/// How deeply `v` nests objects (or only arrays), counted without recursion and stopping just
/// past the limit; an object met again on its own path (a cycle) is left to the built-in.
fn nesting(v: &JsValue, arrays_only: bool, ctx: &mut Context) -> JsResult<usize> {
    let Some(root) = v.as_object() else {
        return Ok(0);
    };
    // (object, depth); visited objects are not walked twice (shared subtrees, cycles).
    let mut stack = vec![(root, 1usize)];
    let mut seen: HashSet<JsObject> = HashSet::new();
    let mut deepest = 0;
    while let Some((obj, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        if deepest > MAX_NESTING {
            break;
        }
        if !seen.insert(obj.clone()) {
            continue;
        }
        let is_array = obj.is_array();
        if arrays_only && !is_array {
            continue;
        }
        if is_array {
            let arr = JsArray::from_object(obj.clone())?;
            let len = arr.length(ctx)?;
            for i in 0..len {
                if let Some(child) = arr.get(i, ctx)?.as_object() {
                    if !arrays_only || child.is_array() {
                        stack.push((child, depth + 1));
                    }
                }
            }
        } else if !obj.is_callable() {
            for key in obj.own_property_keys(ctx)? {
                if let Some(child) = obj.get(key, ctx)?.as_object() {
                    stack.push((child, depth + 1));
                }
            }
        }
    }
    Ok(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_nesting() {
        assert_eq!(source_too_deep("[[[1]]]"), None);
        let deep = "[".repeat(MAX_NESTING + 1);
        assert_eq!(source_too_deep(&deep), Some((1, MAX_NESTING + 1)));
        let quoted = format!("'{}'", "[".repeat(MAX_NESTING + 1));
        assert_eq!(source_too_deep(&quoted), None);
        let commented = format!("// {}\n1", "(".repeat(MAX_NESTING + 1));
        assert_eq!(source_too_deep(&commented), None);
        let ops = format!("1{}", "+1".repeat(MAX_OPERATORS + 1));
        assert!(source_too_deep(&ops).is_some());
        let list = format!("[{}]", "-1,".repeat(MAX_OPERATORS + 1));
        assert_eq!(source_too_deep(&list), None);
    }
}
