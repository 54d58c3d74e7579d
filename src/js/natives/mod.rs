//! Native functions, one file per group. Each file has `register(ctx)`; [`REGISTRY`] lists them
//! in the order they are installed. To add a group: write `natives/<group>.rs` with
//! `pub fn register(ctx: &mut Context) -> JsResult<()>` and add it below.

use boa_engine::{js_string, Context, JsResult, NativeFunction};

pub mod arg_check;
pub mod conn;
pub mod files;
pub mod json;
pub mod legacy;
pub mod print;
pub mod system;

/// A group of natives: its name (for error messages) and its installer.
pub type Register = fn(&mut Context) -> JsResult<()>;

/// Every native group, installed in this order.
pub const REGISTRY: &[(&str, Register)] = &[
    ("types", crate::js::types::register),
    ("print", print::register),
    ("files", files::register),
    ("json", json::register),
    ("system", system::register),
    ("legacy", legacy::register),
    ("conn", conn::register),
    ("arg_check", arg_check::register),
    ("complete", crate::js::complete::register),
];

/// Install all native groups into `ctx`.
pub fn register_all(ctx: &mut Context) -> Result<(), String> {
    for (name, register) in REGISTRY {
        register(ctx).map_err(|e| format!("natives {name}: {e}"))?;
    }
    Ok(())
}

/// Register a global, non-constructor function.
pub fn global_fn(
    ctx: &mut Context,
    name: &str,
    length: usize,
    f: fn(
        &boa_engine::JsValue,
        &[boa_engine::JsValue],
        &mut Context,
    ) -> JsResult<boa_engine::JsValue>,
) -> JsResult<()> {
    ctx.register_global_builtin_callable(js_string!(name), length, NativeFunction::from_fn_ptr(f))
}
