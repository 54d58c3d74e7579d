//! Remembered BSON types of converted documents.
//!
//! When a server document becomes a JS object, fields whose BSON type JS cannot tell apart
//! (an int32 such as `votes: 1`, which a JS number would send back as a double, a Symbol, JavaScript code, regex options JS does
//! not know, values out of JS range) are recorded in a hidden, non-enumerable, symbol-keyed
//! property of that object. Converting back consults it *per field*, and only while the field
//! still holds a value of the matching JS kind, so edited fields get the natural type and
//! untouched ones keep theirs. Key order is recorded too when JS would reorder the keys
//! (integer-like keys).

use boa_engine::object::JsObject;
use boa_engine::property::{PropertyDescriptor, PropertyKey};
use boa_engine::{Context, Finalize, JsData, JsResult, JsString, JsSymbol, JsValue, Trace};
use bson::{Bson, Document};

/// How to turn a field's JS value back into its original BSON type.
#[derive(Debug, Clone)]
pub enum Hint {
    /// A number that was a BSON int32.
    Int32,
    /// A string that was a BSON symbol.
    Symbol,
    /// A string that was BSON JavaScript code.
    Code,
    /// A string that was code with scope; the scope is kept.
    CodeWithScope(Document),
    /// A RegExp whose BSON form JS cannot hold exactly (options JS lacks such as `x`, options
    /// out of order, line terminators written raw): the original, sent back while unchanged.
    Regex(bson::Regex),
    /// A value JS cannot represent; sent back as is while the field holds `shown`'s kind.
    Raw(Bson),
}

/// The hints of one object: per key, plus the original key order when JS changes it.
#[derive(Debug, Clone, Default, Trace, Finalize, JsData)]
pub struct Hints {
    #[unsafe_ignore_trace]
    pub fields: Vec<(String, Hint)>,
    #[unsafe_ignore_trace]
    pub order: Option<Vec<String>>,
}

impl Hints {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.order.is_none()
    }

    pub fn get(&self, key: &str) -> Option<&Hint> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, h)| h)
    }
}

/// The symbol under which hints are stored (one per runtime; symbols are not GC-managed).
struct HintKey(JsSymbol);

/// Create the hint symbol of a context. Called once by the runtime.
pub fn install(ctx: &mut Context) -> Result<(), String> {
    let sym = JsSymbol::new(Some(JsString::from("rsh.bsonTypes")))
        .ok_or_else(|| "cannot create the BSON type symbol".to_string())?;
    ctx.insert_data(HintKey(sym));
    Ok(())
}

fn key(ctx: &Context) -> Option<PropertyKey> {
    ctx.get_data::<HintKey>()
        .map(|k| PropertyKey::from(k.0.clone()))
}

/// Attach `hints` to `obj` (nothing when empty).
pub fn attach(obj: &JsObject, hints: Hints, ctx: &mut Context) -> JsResult<()> {
    if hints.is_empty() {
        return Ok(());
    }
    let Some(k) = key(ctx) else {
        return Ok(());
    };
    let holder = JsObject::from_proto_and_data(None, hints);
    obj.define_property_or_throw(
        k,
        PropertyDescriptor::builder()
            .value(JsValue::from(holder))
            .writable(false)
            .enumerable(false)
            .configurable(true),
        ctx,
    )?;
    Ok(())
}

/// The hints attached to `obj`, read without running user code.
pub fn read(obj: &JsObject, ctx: &Context) -> Option<Hints> {
    let k = key(ctx)?;
    let desc = obj.borrow().properties().get(&k)?;
    let holder = desc.value()?.as_object()?;
    let hints = holder.downcast_ref::<Hints>()?;
    Some(hints.clone())
}
