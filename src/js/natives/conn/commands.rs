//! `__runCommand(conn, db, cmd, target)` and `__write(conn, op, db, coll, …)`.

use boa_engine::{Context, JsResult, JsValue};

use super::{conn, conn_error, target};
use crate::js::args::{arg, error, to_string};
use crate::js::convert::{bson_to_js, document_to_js, js_to_bson, js_to_document};
use crate::js::host::check_interrupt;
use crate::js::natives::global_fn;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__runCommand", 4, run_command)?;
    global_fn(ctx, "__write", 6, write)?;
    Ok(())
}

/// Returns the reply whatever its `ok` (legacy: server errors are values); throws only when
/// no reply came (network, no primary, the primary changed).
fn run_command(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let db = to_string(args, 1, ctx)?;
    let cmd = js_to_document(&arg(args, 2), ctx)?;
    let t = target(&arg(args, 3), &c, ctx)?;
    let reply = c.run_command(&db, cmd, &t).map_err(conn_error)?;
    Ok(document_to_js(&reply, ctx)?.into())
}

/// `__write(conn, "insert", db, coll, docsArray, ordered)`,
/// `__write(conn, "update", db, coll, query, update, multi, upsert)`,
/// `__write(conn, "delete", db, coll, query, justOne)`. Returns the WriteResult fields; a
/// command-level failure (e.g. not primary on a direct connection) returns
/// `{writeCommandError: reply}`.
fn write(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let op = to_string(args, 1, ctx)?;
    let db = to_string(args, 2, ctx)?;
    let coll = to_string(args, 3, ctx)?;
    let result = match op.as_str() {
        "insert" => {
            let docs = match js_to_bson(&arg(args, 4), ctx)? {
                bson::Bson::Array(a) => a
                    .into_iter()
                    .filter_map(|d| match d {
                        bson::Bson::Document(d) => Some(d),
                        _ => None,
                    })
                    .collect(),
                bson::Bson::Document(d) => vec![d],
                _ => return Err(error("insert needs a document or an array of documents")),
            };
            c.insert(&db, &coll, docs, arg(args, 5).to_boolean())
        }
        "update" => {
            let q = js_to_document(&arg(args, 4), ctx)?;
            let u = js_to_bson(&arg(args, 5), ctx)?;
            c.update(
                &db,
                &coll,
                q,
                u,
                arg(args, 6).to_boolean(),
                arg(args, 7).to_boolean(),
            )
        }
        "delete" => {
            let q = js_to_document(&arg(args, 4), ctx)?;
            c.delete(&db, &coll, q, arg(args, 5).to_boolean())
        }
        other => return Err(error(format!("unknown write operation {other}"))),
    };
    match result {
        Ok(d) => Ok(document_to_js(&d, ctx)?.into()),
        Err(crate::conn::ConnError::Server(reply)) => {
            let mut d = bson::Document::new();
            d.insert("writeCommandError", reply);
            bson_to_js(&bson::Bson::Document(d), ctx)
        }
        Err(e) => Err(conn_error(e)),
    }
}
