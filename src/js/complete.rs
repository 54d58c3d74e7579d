//! Tab completion over globals and dotted paths, without running user code: only data
//! properties are followed (getters and proxy traps are never invoked). The prelude's own
//! proxies (`db`) are seen through: `__completionTarget(proxy, target)` records the target in
//! the proxy's ordinary property storage, which JavaScript cannot reach (every access to a
//! proxy goes to its handler) and which completion reads directly.

use boa_engine::builtins::proxy::Proxy;
use boa_engine::object::JsPrototype;
use boa_engine::property::{PropertyDescriptor, PropertyKey};
use boa_engine::{js_string, Context, JsObject, JsResult, JsValue};

/// The storage key of a recorded proxy target.
const TARGET_KEY: &str = "\u{0}completionTarget";

pub fn register(ctx: &mut Context) -> JsResult<()> {
    super::natives::global_fn(ctx, "__completionTarget", 2, completion_target)
}

/// `__completionTarget(proxy, target)` → `proxy`, with `target` recorded for completion. Only
/// a proxy is marked (on an ordinary object the record would be a visible property).
fn completion_target(_this: &JsValue, args: &[JsValue], _ctx: &mut Context) -> JsResult<JsValue> {
    let proxy = args.first().cloned().unwrap_or_default();
    if let (Some(p), Some(t)) = (proxy.as_object(), args.get(1).and_then(|v| v.as_object())) {
        if p.is::<Proxy>() {
            let desc = PropertyDescriptor::builder()
                .value(t.clone())
                .writable(false)
                .enumerable(false)
                .configurable(false)
                .build();
            p.insert_property(js_string!(TARGET_KEY), desc);
        }
    }
    Ok(proxy)
}

/// The object completion looks at for `obj`: a marked proxy's target, else `obj` itself.
fn seen_through(obj: JsObject) -> JsObject {
    if !obj.is::<Proxy>() {
        return obj;
    }
    let key = PropertyKey::from(js_string!(TARGET_KEY));
    let target = obj
        .borrow()
        .properties()
        .get(&key)
        .and_then(|d| d.value().cloned())
        .and_then(|v| v.as_object());
    target.unwrap_or(obj)
}

/// The database the global `db` names: its connection handle and name. `None` when `db` is
/// not a database of the prelude's (no connection, or a value of the user's).
pub fn current_db(ctx: &mut Context) -> Option<(usize, String)> {
    let global = ctx.global_object();
    let db = seen_through(data_property(&global, "db")?.as_object()?);
    let name = data_property(&db, "_name")?
        .as_string()?
        .to_std_string_escaped();
    let mongo = data_property(&db, "_mongo")?.as_object()?;
    let handle = data_property(&mongo, "_h")?.as_number()?;
    (handle >= 0.0 && handle.fract() == 0.0 && handle < u32::MAX as f64)
        .then_some((handle as usize, name))
}

/// `"rs.st"` → `["rs.status", "rs.stepDown"]`; `"pri"` → `["print", "printjson", …]`.
/// Sorted, without duplicates.
pub fn complete(ctx: &mut Context, word: &str) -> Vec<String> {
    let (path, tail) = match word.rfind('.') {
        Some(i) => (&word[..i], &word[i + 1..]),
        None => ("", word),
    };
    let mut target = ctx.global_object();
    if !path.is_empty() {
        for (i, part) in path.split('.').enumerate() {
            // A lazily loaded global is an accessor of ours: its loaded value is safe to read.
            let value = match i {
                0 => super::lazy_prelude::loaded_value(ctx, part)
                    .or_else(|| data_property(&target, part)),
                _ => data_property(&target, part),
            };
            match value.and_then(|v| v.as_object()) {
                Some(o) => target = seen_through(o),
                None => return Vec::new(),
            }
        }
    }
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    };
    // What every object or function inherits (`constructor`, `hasOwnProperty`, `apply`…) is
    // not what a dotted word looks for; at the top level the globals are all wanted.
    let generic = [
        ctx.intrinsics().constructors().object().prototype(),
        ctx.intrinsics().constructors().function().prototype(),
    ];
    // Names starting with `_` are internals unless asked for.
    let internals = tail.starts_with('_');
    let mut names: Vec<String> = Vec::new();
    let mut obj = Some(target);
    let mut depth = 0;
    while let Some(o) = obj {
        if !path.is_empty() && generic.iter().any(|g| JsObject::equals(g, &o)) {
            break;
        }
        for key in own_string_keys(&o) {
            // `constructor` is an object internal, not a member anyone completes to.
            if key.starts_with(tail)
                && !key.starts_with("__")
                && (path.is_empty() || key != "constructor")
                && (internals || path.is_empty() || !key.starts_with('_'))
                && is_identifier(&key)
            {
                names.push(format!("{prefix}{key}"));
            }
        }
        depth += 1;
        // Bounded walk: prototype chains are short; a cycle cannot exist but be safe.
        if depth > 32 {
            break;
        }
        let proto: JsPrototype = o.prototype();
        obj = proto;
    }
    names.sort();
    names.dedup();
    names
}

/// The value of an own-or-inherited data property (accessors are not called).
fn data_property(obj: &JsObject, name: &str) -> Option<JsValue> {
    let key = PropertyKey::from(boa_engine::JsString::from(name));
    let mut cur = Some(obj.clone());
    let mut depth = 0;
    while let Some(o) = cur {
        let desc = o.borrow().properties().get(&key);
        if let Some(d) = desc {
            return d.value().cloned();
        }
        depth += 1;
        if depth > 32 {
            return None;
        }
        cur = o.prototype();
    }
    None
}

fn own_string_keys(obj: &JsObject) -> Vec<String> {
    let keys = obj.borrow().shape().keys();
    keys.into_iter()
        .filter_map(|k| match k {
            PropertyKey::String(s) => Some(s.to_std_string_escaped()),
            _ => None,
        })
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}
