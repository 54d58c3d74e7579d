//! Explicit sessions: `__sessionStart(conn, causal)` → `{handle, id}`, `__sessionEnd(conn, handle)`,
//! `__sessionImplicitId(conn)` → the implicit session's `{id}` (or null),
//! `__sessionTimes(conn, handle)` → `{operationTime, clusterTime}`,
//! `__sessionAdvance(conn, handle, operationTime, clusterTime)`. A session's
//! databases use the connection handle `conn + SESSION_STRIDE * handle`, so every call made
//! through them runs in that session (see `conn` in this module's parent).

use boa_engine::{js_string, Context, JsResult, JsValue};

use super::{conn, conn_error};
use crate::js::args::{arg, error};
use crate::js::convert::{document_to_js, js_to_bson};
use crate::js::host::check_interrupt;
use crate::js::natives::global_fn;

/// Connection handles stay below this; the session's handle is the multiple above it.
pub const SESSION_STRIDE: u64 = 65536;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__sessionStart", 2, start)?;
    global_fn(ctx, "__sessionEnd", 2, end)?;
    global_fn(ctx, "__sessionImplicitId", 1, implicit_id)?;
    global_fn(ctx, "__sessionTimes", 2, times)?;
    global_fn(ctx, "__sessionAdvance", 4, advance)?;
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

/// The session handle argument.
fn handle(args: &[JsValue], i: usize) -> JsResult<u32> {
    arg(args, i)
        .as_number()
        .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n < f64::from(u32::MAX))
        .map(|n| n as u32)
        .ok_or_else(|| error("no such session"))
}

fn times(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let (operation, cluster) = c.session_times(handle(args, 1)?).map_err(conn_error)?;
    let mut d = bson::Document::new();
    if let Some(t) = operation {
        d.insert("operationTime", t);
    }
    if let Some(ct) = cluster {
        d.insert("clusterTime", ct);
    }
    Ok(document_to_js(&d, ctx)?.into())
}

fn advance(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let n = handle(args, 1)?;
    let operation = match js_to_bson(&arg(args, 2), ctx)? {
        bson::Bson::Timestamp(t) => Some(t),
        bson::Bson::Null | bson::Bson::Undefined => None,
        other => {
            return Err(error(format!(
                "advanceOperationTime(t): t must be a Timestamp, got {other}"
            )))
        }
    };
    let cluster = match js_to_bson(&arg(args, 3), ctx)? {
        bson::Bson::Document(d) => Some(d),
        bson::Bson::Null | bson::Bson::Undefined => None,
        other => {
            return Err(error(format!(
                "advanceClusterTime(t): t must be a cluster time document, got {other}"
            )))
        }
    };
    c.advance_session_times(n, operation, cluster)
        .map_err(conn_error)?;
    Ok(JsValue::undefined())
}

fn end(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    c.end_session(handle(args, 1)?).map_err(conn_error)?;
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
