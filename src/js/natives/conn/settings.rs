//! Connection-level natives: open, describe, read preference, secondary-ok, auth, prompt, and
//! the replication-report text (built in Rust by `format::replinfo`).

use boa_engine::{Context, JsResult, JsValue};
use bson::Bson;

use super::{conn, conn_error, conns};
use crate::conn::{ConnectSpec, Connection, ReadPref};
use crate::format::replinfo::{self, MemberSync, OplogWindow};
use crate::js::args::{arg, error, to_string};
use crate::js::convert::{bson_to_js, document_to_js, js_to_bson, js_to_document};
use crate::js::host::{check_interrupt, host};
use crate::js::natives::global_fn;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__connOpen", 1, open)?;
    global_fn(ctx, "__connInfo", 1, info)?;
    global_fn(ctx, "__connSetReadPref", 3, set_read_pref)?;
    global_fn(ctx, "__connGetReadPref", 1, get_read_pref)?;
    global_fn(ctx, "__connSetSecondaryOk", 2, set_secondary_ok)?;
    global_fn(ctx, "__connGetSecondaryOk", 1, get_secondary_ok)?;
    global_fn(ctx, "__connAuth", 5, auth)?;
    global_fn(ctx, "__connLogout", 1, logout)?;
    global_fn(ctx, "__connPrompt", 1, prompt)?;
    global_fn(ctx, "__replInfoText", 4, repl_info_text)?;
    global_fn(ctx, "__secondaryReplInfoText", 1, secondary_repl_info_text)?;
    global_fn(ctx, "__jsDateString", 1, js_date_string)?;
    Ok(())
}

/// `__connOpen("host:port" | "set/h1,h2" | "mongodb://…")` → handle.
fn open(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let text = to_string(args, 0, ctx)?;
    let spec = ConnectSpec::from_host_string(&text).map_err(conn_error)?;
    let flag = host(ctx)?.interrupt.clone();
    let c = Connection::connect(spec, flag)
        .map_err(|e| error(format!("couldn't connect to server {text}: {e}")))?;
    Ok(JsValue::from(conns(ctx)?.add(c) as u32))
}

/// `{host, uri, replicaSet, db}` of a connection.
fn info(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let c = conn(ctx, &arg(args, 0))?;
    let d = bson::doc! {
        "host": c.hosts(),
        "uri": c.uri_redacted(),
        "replicaSet": c.is_replica_set(),
        "db": c.default_db(),
    };
    Ok(document_to_js(&d, ctx)?.into())
}

/// `__connSetReadPref(conn, mode, tagSets)`; a null mode clears it.
fn set_read_pref(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let c = conn(ctx, &arg(args, 0))?;
    let mode = arg(args, 1);
    if mode.is_null_or_undefined() {
        c.set_read_pref(None);
        return Ok(JsValue::undefined());
    }
    let mode = mode.to_string(ctx)?.to_std_string_escaped();
    let tags = match js_to_bson(&arg(args, 2), ctx)? {
        Bson::Array(a) => {
            let mut v = Vec::new();
            for t in a {
                match t {
                    Bson::Document(d) => v.push(d),
                    _ => return Err(error("tag sets must be an array of objects")),
                }
            }
            v
        }
        Bson::Undefined | Bson::Null => Vec::new(),
        _ => return Err(error("tag sets must be an array of objects")),
    };
    c.set_read_pref(Some(ReadPref::new(&mode, tags).map_err(conn_error)?));
    Ok(JsValue::undefined())
}

fn get_read_pref(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let c = conn(ctx, &arg(args, 0))?;
    match c.read_pref() {
        Some(rp) => Ok(document_to_js(&rp.to_document(), ctx)?.into()),
        None => Ok(JsValue::null()),
    }
}

fn set_secondary_ok(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let c = conn(ctx, &arg(args, 0))?;
    let v = arg(args, 1);
    c.set_secondary_ok(v.is_undefined() || v.to_boolean());
    Ok(JsValue::undefined())
}

fn get_secondary_ok(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    Ok(conn(ctx, &arg(args, 0))?.secondary_ok().into())
}

/// `__connAuth(conn, user, pwd, db, mechanism)` → true, or throws `Authentication failed.`
fn auth(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let user = to_string(args, 1, ctx)?;
    let pwd = to_string(args, 2, ctx)?;
    let db = to_string(args, 3, ctx)?;
    let mech = arg(args, 4);
    let mech = if mech.is_null_or_undefined() {
        None
    } else {
        Some(mech.to_string(ctx)?.to_std_string_escaped())
    };
    c.reauthenticate(Some((user, pwd, db, mech)))
        .map_err(|e| match e {
            crate::conn::ConnError::Auth(_) => error("Authentication failed."),
            other => conn_error(other),
        })?;
    Ok(true.into())
}

fn logout(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let c = conn(ctx, &arg(args, 0))?;
    c.reauthenticate(None).map_err(conn_error)?;
    Ok(JsValue::undefined())
}

fn prompt(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let c = conn(ctx, &arg(args, 0))?;
    Ok(JsValue::from(boa_engine::JsString::from(
        c.prompt().as_str(),
    )))
}

/// `__replInfoText(maxSizeBytes, firstSecs, lastSecs, usedBytes)` → the five lines.
fn repl_info_text(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let num = |i: usize, ctx: &mut Context| arg(args, i).to_number(ctx);
    let w = OplogWindow {
        max_size_bytes: num(0, ctx)?,
        used_bytes: num(3, ctx)?,
        first_secs: num(1, ctx)?,
        last_secs: num(2, ctx)?,
        now_ms: chrono::Utc::now().timestamp_millis(),
    };
    Ok(JsValue::from(boa_engine::JsString::from(
        replinfo::replication_info_text(&w).as_str(),
    )))
}

fn date_ms(b: Option<&Bson>) -> Option<i64> {
    match b? {
        Bson::DateTime(d) => Some(d.timestamp_millis()),
        _ => None,
    }
}

fn int(b: Option<&Bson>) -> i32 {
    match b {
        Some(Bson::Int32(i)) => *i,
        Some(Bson::Int64(i)) => *i as i32,
        Some(Bson::Double(d)) => *d as i32,
        _ => 0,
    }
}

/// `__secondaryReplInfoText(replSetGetStatusReply)` → the report text.
fn secondary_repl_info_text(
    _this: &JsValue,
    args: &[JsValue],
    ctx: &mut Context,
) -> JsResult<JsValue> {
    let status = js_to_document(&arg(args, 0), ctx)?;
    let mut members = Vec::new();
    if let Ok(list) = status.get_array("members") {
        for m in list.iter().filter_map(Bson::as_document) {
            members.push(MemberSync {
                name: m.get_str("name").unwrap_or("").to_string(),
                state: int(m.get("state")),
                state_str: m.get_str("stateStr").unwrap_or("").to_string(),
                is_self: m.get_bool("self").unwrap_or(false),
                has_optime: m.contains_key("optime"),
                optime_date_ms: date_ms(m.get("optimeDate")),
            });
        }
    }
    let initial = status
        .get_document("initialSyncStatus")
        .ok()
        .map(|i| replinfo::InitialSync {
            sync_source_host: i.get_str("syncSourceHost").unwrap_or("").to_string(),
            remaining_estimated_ms: match i.get("remainingInitialSyncEstimatedMillis") {
                Some(Bson::Int32(n)) => f64::from(*n),
                Some(Bson::Int64(n)) => *n as f64,
                Some(Bson::Double(n)) => *n,
                _ => 0.0,
            },
        });
    let text =
        replinfo::secondary_replication_info_text(&members, initial.as_ref()).map_err(error)?;
    bson_to_js(&Bson::String(text), ctx)
}

/// JS `Date.prototype.toString()` text of a time in ms, as the legacy shell prints it.
fn js_date_string(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let ms = arg(args, 0).to_number(ctx)?;
    let text = if ms.is_finite() {
        crate::format::js_date_to_string(ms as i64)
    } else {
        "Invalid Date".into()
    };
    Ok(JsValue::from(boa_engine::JsString::from(text.as_str())))
}
