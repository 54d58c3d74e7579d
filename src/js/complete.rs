//! Tab completion over globals and dotted paths, without running user code: only data
//! properties are followed (getters and proxies are never invoked).

use boa_engine::object::JsPrototype;
use boa_engine::property::PropertyKey;
use boa_engine::{Context, JsObject, JsValue};

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
                Some(o) => target = o,
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
            if key.starts_with(tail)
                && !key.starts_with("__")
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
