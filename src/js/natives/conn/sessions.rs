//! Explicit sessions: `__sessionStart(conn, causal)` → `{handle, id}`, `__sessionEnd(conn, handle)`,
//! `__sessionImplicitId(conn)` → the implicit session's `{id}` (or null). A session's
//! databases use the connection handle `conn + SESSION_STRIDE * handle`, so every call made
//! through them runs in that session (see `conn` in this module's parent).

use boa_engine::{js_string, Context, JsResult, JsValue};

use super::{conn, conn_error};
use crate::js::args::{arg, error};
use crate::js::convert::document_to_js;
use crate::js::host::check_interrupt;
use crate::js::natives::global_fn;

/// Connection handles stay below this; the session's handle is the multiple above it.
pub const SESSION_STRIDE: u64 = 65536;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__sessionStart", 2, start)?;
    global_fn(ctx, "__sessionEnd", 2, end)?;
    global_fn(ctx, "__sessionImplicitId", 1, implicit_id)?;
    Ok(())
}

fn start(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let causal = arg(args, 1).to_boolean();
    let (handle, id) = c.start_session(causal).map_err(conn_error)?;
    let out = document_to_js(&bson::doc! {"id": id}, ctx)?;
    out.set(js_string!("handle"), JsValue::from(handle), false, ctx)?;
    Ok(out.into())
}

fn end(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let n = arg(args, 1)
        .as_number()
        .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n < f64::from(u32::MAX))
        .ok_or_else(|| error("__sessionEnd: no such session"))?;
    c.end_session(n as u32).map_err(conn_error)?;
    Ok(JsValue::undefined())
}

fn implicit_id(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    match c.implicit_session_id().map_err(conn_error)? {
        Some(id) => Ok(document_to_js(&id, ctx)?.into()),
        None => Ok(JsValue::null()),
    }
}
