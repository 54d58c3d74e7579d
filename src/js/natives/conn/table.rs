//! `__showDbsTable(databases)`: the `show dbs` text from listDatabases' `databases` array.
//! `__startupWarningsText(log)`: the `show startupWarnings` text from getLog's `log` array.

use boa_engine::{Context, JsResult, JsValue};
use bson::Bson;

use crate::js::args::arg;
use crate::js::convert::js_to_bson;
use crate::js::natives::global_fn;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__showDbsTable", 1, show_dbs)?;
    global_fn(ctx, "__startupWarningsText", 1, startup_warnings)
}

fn startup_warnings(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let mut lines = Vec::new();
    if let Bson::Array(list) = js_to_bson(&arg(args, 0), ctx)? {
        lines.extend(list.iter().filter_map(Bson::as_str).map(str::to_string));
    }
    let text = crate::format::startup::startup_warnings_text(&lines);
    Ok(JsValue::from(boa_engine::JsString::from(text.as_str())))
}

fn show_dbs(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let mut rows = Vec::new();
    if let Bson::Array(list) = js_to_bson(&arg(args, 0), ctx)? {
        for d in list.iter().filter_map(Bson::as_document) {
            let size = match d.get("sizeOnDisk") {
                Some(Bson::Int32(n)) => f64::from(*n),
                Some(Bson::Int64(n)) => *n as f64,
                Some(Bson::Double(n)) => *n,
                _ => 0.0,
            };
            rows.push((
                d.get_str("name").unwrap_or("").to_string(),
                size,
                d.get_bool("empty").unwrap_or(false),
            ));
        }
    }
    let text = crate::format::show_dbs_table(&rows);
    Ok(JsValue::from(boa_engine::JsString::from(text.as_str())))
}
