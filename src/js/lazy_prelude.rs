//! Prelude files evaluated on first use.
//!
//! Parsing and compiling JavaScript is the main start-up cost of boa (tens of milliseconds for
//! the connection helpers), and `rsh --nodb --eval 1` needs none of it. A [`LazyGroup`] lists
//! the globals its files define; each is an accessor on the global object whose getter (or
//! setter) first evaluates the group's files in order, then reads (or assigns) the global's
//! value, kept in a store object (see [`install`] for why they stay accessors). Files of one group may
//! use each other's globals at top level; a group may touch another group's globals (that group
//! then loads first).
//!
//! The groups themselves are listed in `prelude::LAZY`, which also says how to add one.
//! Tab completion loads the group of the first word it completes (`Runtime::complete`).

use std::cell::RefCell;

use boa_engine::object::FunctionObjectBuilder;
use boa_engine::property::PropertyDescriptor;
use boa_engine::{Context, JsObject, JsResult, JsString, JsValue, NativeFunction, Script, Source};

use super::args::error;

/// A set of prelude files loaded together on first use of any of `globals`.
pub struct LazyGroup {
    /// Every global the files define.
    pub globals: &'static [&'static str],
    /// `(source name, code)`, evaluated in order.
    pub files: &'static [(&'static str, &'static str)],
}

/// Which groups of a context have been loaded (kept in the context's data map).
struct Loaded(RefCell<Vec<bool>>);

/// The store behind the accessors (kept in the context's data map).
struct Store(JsObject);

/// The value of lazy global `name` when its group is loaded (`None` otherwise, or when `name`
/// is not a lazy global): what its accessor's getter would return, without loading anything.
pub fn loaded_value(ctx: &mut Context, name: &str) -> Option<JsValue> {
    let groups = ctx.get_data::<Groups>()?.0;
    let index = groups.iter().position(|g| g.globals.contains(&name))?;
    let loaded = ctx.get_data::<Loaded>()?.0.borrow().get(index).copied()?;
    if !loaded {
        return None;
    }
    let store = ctx.get_data::<Store>()?.0.clone();
    store.get(JsString::from(name), ctx).ok()
}

/// Install the accessors of every group of `groups` on the global object of `ctx`.
///
/// The accessors stay for good: once the group is loaded, the getter reads and the setter
/// writes the value in a store object (the files' `var x = …` go through the setter). Turning
/// them into data properties instead would change the global object's storage layout while
/// a getter runs, and boa caches a global's storage slot together with the object's shape
/// *after* the getter returned: code compiled before the load (a loop calling `assert.eq`)
/// would then read a wrong slot on its next pass.
pub fn install(ctx: &mut Context, groups: &'static [LazyGroup]) -> JsResult<()> {
    ctx.insert_data(Loaded(RefCell::new(vec![false; groups.len()])));
    ctx.insert_data(Groups(groups));
    let global = ctx.global_object();
    let store = JsObject::with_null_proto();
    ctx.insert_data(Store(store.clone()));
    for (index, group) in groups.iter().enumerate() {
        for name in group.globals {
            let get = NativeFunction::from_copy_closure_with_captures(
                move |_, _, store: &JsObject, ctx| {
                    load(ctx, index)?;
                    // A top-level `function` declaration replaces the accessor by a data
                    // property: read that one.
                    let key = JsString::from(*name);
                    let global = ctx.global_object();
                    let own = global.borrow().properties().get(&key.clone().into());
                    if let Some(v) = own.as_ref().and_then(|d| d.value()) {
                        return Ok(v.clone());
                    }
                    store.get(key, ctx)
                },
                store.clone(),
            );
            let set = NativeFunction::from_copy_closure_with_captures(
                move |_, args, store: &JsObject, ctx| {
                    load(ctx, index)?;
                    let v = args.first().cloned().unwrap_or_default();
                    store.set(JsString::from(*name), v, true, ctx)?;
                    Ok(JsValue::undefined())
                },
                store.clone(),
            );
            let get = FunctionObjectBuilder::new(ctx.realm(), get).build();
            let set = FunctionObjectBuilder::new(ctx.realm(), set).build();
            global.define_property_or_throw(
                JsString::from(*name),
                PropertyDescriptor::builder()
                    .get(get)
                    .set(set)
                    .enumerable(false)
                    .configurable(true),
                ctx,
            )?;
        }
    }
    Ok(())
}

struct Groups(&'static [LazyGroup]);

/// Load group `index` unless it already is.
pub fn load(ctx: &mut Context, index: usize) -> JsResult<()> {
    let groups = match ctx.get_data::<Groups>() {
        Some(g) => g.0,
        None => return Ok(()),
    };
    let Some(group) = groups.get(index) else {
        return Ok(());
    };
    {
        let Some(loaded) = ctx.get_data::<Loaded>() else {
            return Ok(());
        };
        let mut flags = loaded.0.borrow_mut();
        if flags.get(index).copied().unwrap_or(true) {
            return Ok(());
        }
        flags[index] = true;
    }
    for (name, code) in group.files {
        let source = Source::from_bytes(code).with_path(std::path::Path::new(name));
        let script = Script::parse(source, None, ctx)
            .map_err(|e| error(format!("prelude {name} does not parse: {e}")))?;
        script.evaluate(ctx)?;
    }
    Ok(())
}

/// Load the group defining global `name`, if it is lazy and not loaded yet.
pub fn load_for(ctx: &mut Context, name: &str) -> JsResult<()> {
    let groups = match ctx.get_data::<Groups>() {
        Some(g) => g.0,
        None => return Ok(()),
    };
    match groups.iter().position(|g| g.globals.contains(&name)) {
        Some(index) => load(ctx, index),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static GROUPS: &[LazyGroup] = &[
        LazyGroup {
            globals: &["lazyA", "lazyB"],
            files: &[
                (
                    "a.js",
                    "var loads = (typeof loads === 'number' ? loads : 0) + 1; var lazyA = {x: 1};",
                ),
                ("b.js", "function lazyB() { return lazyA.x + lazyC; }"),
            ],
        },
        LazyGroup {
            globals: &["lazyC"],
            files: &[("c.js", "var lazyC = 10; var loadsC = 1;")],
        },
    ];

    fn run(ctx: &mut Context, code: &str) -> String {
        match ctx.eval(Source::from_bytes(code)) {
            Ok(v) => v.display().to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn groups_load_once_on_first_use() {
        let mut ctx = Context::default();
        install(&mut ctx, GROUPS).expect("install");
        assert_eq!(run(&mut ctx, "typeof loads"), "\"undefined\"");
        assert_eq!(run(&mut ctx, "typeof lazyB"), "\"function\"");
        assert_eq!(run(&mut ctx, "loads"), "1");
        assert_eq!(run(&mut ctx, "typeof loadsC"), "\"undefined\"");
        assert_eq!(run(&mut ctx, "lazyB()"), "11");
        assert_eq!(
            run(&mut ctx, "[lazyA.x = 2, lazyB(), loads, loadsC].join()"),
            "\"2,12,1,1\""
        );
    }

    #[test]
    fn assignment_before_use_loads_then_assigns() {
        let mut ctx = Context::default();
        install(&mut ctx, GROUPS).expect("install");
        assert_eq!(run(&mut ctx, "lazyC = 5; lazyC + loadsC"), "6");
        load_for(&mut ctx, "lazyA").expect("load");
        assert_eq!(run(&mut ctx, "loads"), "1");
    }
}
