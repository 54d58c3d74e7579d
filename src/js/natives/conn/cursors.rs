//! Cursor natives. Documents stay BSON on the Rust side until JS asks for them; printing a
//! cursor (`shellPrint`, `it`) formats the BSON directly without making JS objects.

use boa_engine::object::builtins::JsArray;
use boa_engine::{Context, JsResult, JsValue};

use super::{conn, conn_error, conns, target, write_out};
use crate::format::{self, Style};
use crate::js::args::{arg, error};
use crate::js::convert::{document_to_js, js_to_document};
use crate::js::host::check_interrupt;
use crate::js::natives::global_fn;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__cursorOpen", 5, open)?;
    global_fn(ctx, "__cursorNext", 2, next)?;
    global_fn(ctx, "__cursorHasNext", 1, has_next)?;
    global_fn(ctx, "__cursorBuffered", 1, buffered)?;
    global_fn(ctx, "__cursorPrint", 3, print_batch)?;
    global_fn(ctx, "__cursorClose", 1, close)?;
    global_fn(ctx, "__cursorId", 1, server_id)?;
    Ok(())
}

fn handle(v: &JsValue) -> JsResult<u32> {
    match v.as_number() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Ok(n as u32),
        _ => Err(error("invalid cursor handle")),
    }
}

/// `__cursorOpen(conn, db, cmd, target, batchSize)` → cursor handle. Throws
/// `error: { …reply… }` when the server refuses the command.
fn open(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let db = arg(args, 1).to_string(ctx)?.to_std_string_escaped();
    let cmd = js_to_document(&arg(args, 2), ctx)?;
    let t = target(&arg(args, 3), &c, ctx)?;
    let batch = arg(args, 4)
        .as_number()
        .filter(|n| *n > 0.0)
        .map(|n| n as u32);
    let cursor = c.open_cursor(&db, cmd, &t, batch).map_err(conn_error)?;
    let all = conns(ctx)?;
    let id = all.next_cursor.get();
    all.next_cursor.set(id.wrapping_add(1));
    all.cursors.borrow_mut().insert(id, cursor);
    Ok(JsValue::from(id))
}

/// Run `f` on the cursor; a cursor that is finished is forgotten afterwards.
fn with_cursor<T>(
    ctx: &Context,
    id: u32,
    f: impl FnOnce(&mut crate::conn::ShellCursor) -> Result<T, crate::conn::ConnError>,
) -> JsResult<T> {
    let all = conns(ctx)?;
    let mut map = all.cursors.borrow_mut();
    let Some(cur) = map.get_mut(&id) else {
        return Err(error("cursor is closed"));
    };
    let out = f(cur);
    if out.is_err() || cur.is_exhausted() {
        map.remove(&id);
    }
    out.map_err(conn_error)
}

/// `__cursorNext(id, n)` → an array of up to `n` documents (empty at the end).
fn next(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let id = handle(&arg(args, 0))?;
    let n = arg(args, 1)
        .as_number()
        .filter(|n| *n >= 1.0)
        .unwrap_or(1.0) as usize;
    let open = conns(ctx)?.cursors.borrow().contains_key(&id);
    flush_before_waiting(ctx, id)?;
    let docs = if open {
        with_cursor(ctx, id, |c| c.next_batch(n))?
    } else {
        Vec::new()
    };
    let mut values = Vec::with_capacity(docs.len());
    for d in &docs {
        values.push(JsValue::from(document_to_js(d, ctx)?));
    }
    Ok(JsArray::from_iter(values, ctx).into())
}

fn has_next(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let id = handle(&arg(args, 0))?;
    if !conns(ctx)?.cursors.borrow().contains_key(&id) {
        return Ok(false.into());
    }
    flush_before_waiting(ctx, id)?;
    Ok(with_cursor(ctx, id, |c| c.has_next())?.into())
}

/// Output printed so far is flushed before a getMore that may wait (a tailable cursor or a
/// change stream waits for the next write): what was printed must show while it waits. Only
/// when the current batch is used up, so printing a large result costs no flush per document.
fn flush_before_waiting(ctx: &Context, id: u32) -> JsResult<()> {
    let empty = conns(ctx)?
        .cursors
        .borrow()
        .get(&id)
        .is_some_and(|c| c.buffered() == 0);
    if empty {
        crate::js::host::host(ctx)?.flush();
    }
    Ok(())
}

fn buffered(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let id = handle(&arg(args, 0))?;
    let n = conns(ctx)?
        .cursors
        .borrow()
        .get(&id)
        .map(|c| c.buffered())
        .unwrap_or(0);
    Ok(JsValue::from(n as u32))
}

/// `__cursorPrint(id, n, pretty)`: print up to `n` documents (one line each, or pretty), then
/// `Type "it" for more` when more remain, and return whether more remain. Under `--json` the
/// documents print as one Extended JSON array (`[]` when there are none) and the hint is left
/// out, so the output stays one JSON value (mongosh `--json` prints a cursor the same way).
fn print_batch(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let id = handle(&arg(args, 0))?;
    let n = arg(args, 1)
        .as_number()
        .filter(|n| *n >= 1.0)
        .unwrap_or(20.0) as usize;
    let pretty = arg(args, 2).to_boolean();
    let json = crate::js::host::host(ctx)?.opts.json;
    let docs = if conns(ctx)?.cursors.borrow().contains_key(&id) {
        with_cursor(ctx, id, |c| c.next_batch(n))?
    } else {
        Vec::new()
    };
    let open = conns(ctx)?.cursors.borrow().contains_key(&id);
    let more = open && with_cursor(ctx, id, |c| c.has_next())?;
    let text = match json {
        Some(mode) => {
            let all = bson::Bson::Array(docs.into_iter().map(bson::Bson::Document).collect());
            let mut text = format::ejson::to_ejson(&all, mode == crate::js::JsonMode::Canonical);
            text.push('\n');
            text
        }
        None => {
            let mut text = String::new();
            for d in docs {
                let b = bson::Bson::Document(d);
                if pretty {
                    text.push_str(&format::pretty(&b, Style::default()));
                } else {
                    text.push_str(&format::one_line(&b, Style::default()));
                }
                text.push('\n');
            }
            if more {
                text.push_str("Type \"it\" for more\n");
            }
            text
        }
    };
    write_out(ctx, &text)?;
    Ok(more.into())
}

fn close(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let id = handle(&arg(args, 0))?;
    if let Some(mut c) = conns(ctx)?.cursors.borrow_mut().remove(&id) {
        c.close();
    }
    Ok(JsValue::undefined())
}

/// `__cursorId(id)` → the server's cursor id as a NumberLong (0 once closed or exhausted).
fn server_id(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let id = handle(&arg(args, 0))?;
    let open = conns(ctx)?.cursors.borrow().contains_key(&id);
    let n = if open {
        with_cursor(ctx, id, |c| c.server_id())?
    } else {
        0
    };
    crate::js::convert::bson_to_js(&bson::Bson::Int64(n), ctx)
}
