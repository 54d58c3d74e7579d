//! Natives behind the careful replica-set helpers of rs.js (the rules live in `crate::admin`):
//!
//! * `__rsPreflight(conn, plan)` → `{verdict, findings, text}`: probes the proposed config's
//!   hosts through the connection and applies the preflight rules.
//! * `__rsProbe(conn, hosts)` → `{list: [{host, hello} | {host, error}]}`, each bounded.
//! * `__rsDiff(old, new)` → `{lines, summary}`.
//! * `__rsTable(status, config)` → `{text, rows}` (`text` coloured when the shell colours).
//! * `__rsDoctor(inputs)` → `{ok, findings, text}`; a FAIL marks the run as failed.
//! * `__printErr(text)`, `__stdoutIsTerminal()`, `__jsonOutput()`: where and how to print.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use boa_engine::{Context, JsResult, JsValue};
use bson::{doc, Bson, Document};

use super::conn;
use crate::admin::{diff, doctor, finding, preflight, table, Finding, Level};
use crate::js::args::{arg, error as js_error};
use crate::js::convert::{document_to_js, js_to_document};
use crate::js::host::{check_interrupt, host};
use crate::js::natives::global_fn;

/// Set when `rs.doctor()` found a FAIL: a script then exits with [`CHECK_FAILED_STATUS`].
static CHECK_FAILED: AtomicBool = AtomicBool::new(false);
/// Exit status of a script that ran to the end with a failed `rs.doctor()` check.
pub const CHECK_FAILED_STATUS: i32 = 2;

/// Whether a check of this process reported a FAIL.
pub fn check_failed() -> bool {
    CHECK_FAILED.load(Ordering::SeqCst)
}

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "__rsPreflight", 2, rs_preflight)?;
    global_fn(ctx, "__rsProbe", 2, rs_probe)?;
    global_fn(ctx, "__rsDiff", 2, rs_diff)?;
    global_fn(ctx, "__rsTable", 2, rs_table)?;
    global_fn(ctx, "__rsDoctor", 1, rs_doctor)?;
    global_fn(ctx, "__printErr", 1, print_err)?;
    global_fn(ctx, "__stdoutIsTerminal", 0, stdout_is_terminal)?;
    global_fn(ctx, "__jsonOutput", 0, json_output)?;
    Ok(())
}

fn optional_doc(v: &JsValue, ctx: &mut Context) -> JsResult<Option<Document>> {
    if v.is_null_or_undefined() {
        Ok(None)
    } else {
        js_to_document(v, ctx).map(Some)
    }
}

fn findings_result(findings: &[Finding], prefix: &str) -> Document {
    let text: Vec<String> = findings.iter().map(|f| f.lines(prefix)).collect();
    doc! {
        "verdict": finding::verdict(findings).as_str(),
        "findings": findings.iter().map(|f| Bson::Document(f.to_document())).collect::<Vec<_>>(),
        "text": text.join("\n"),
    }
}

fn to_js(d: &Document, ctx: &mut Context) -> JsResult<JsValue> {
    Ok(document_to_js(d, ctx)?.into())
}

fn rs_preflight(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let p = js_to_document(&arg(args, 1), ctx)?;
    let action = p.get_str("action").unwrap_or("");
    let action = preflight::Action::parse(action)
        .ok_or_else(|| js_error(format!("preflight: unknown action {action:?}")))?;
    let plan = preflight::Plan {
        action,
        current: p.get_document("current").ok().cloned(),
        proposed: p.get_document("proposed").ok().cloned(),
        force: p.get_bool("force").unwrap_or(false),
        connected: p.get_str("connected").unwrap_or("").to_string(),
        server_hostname: p.get_str("serverHostname").ok().map(str::to_string),
        set_name: p.get_str("setName").ok().map(str::to_string),
        default_rw_concern: p.get_document("defaultRWConcern").ok().cloned(),
    };
    let findings = preflight::run(&plan, c.as_ref());
    check_interrupt(ctx)?;
    to_js(&findings_result(&findings, "preflight: "), ctx)
}

/// `__rsProbe(conn, hosts)` → `[{host, hello} or {host, error}]`: hello to each host at once,
/// each bounded like the preflight's (a dead member costs about 2 s, not a selection timeout).
fn rs_probe(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    check_interrupt(ctx)?;
    let c = conn(ctx, &arg(args, 0))?;
    let hosts: Vec<String> = match crate::js::convert::js_to_bson(&arg(args, 1), ctx)? {
        Bson::Array(a) => a
            .iter()
            .filter_map(Bson::as_str)
            .map(str::to_string)
            .collect(),
        _ => return Err(js_error("__rsProbe: hosts must be an array of strings")),
    };
    let probes = crate::admin::Probe::probe(c.as_ref(), &hosts);
    check_interrupt(ctx)?;
    let list: Vec<Bson> = probes
        .into_iter()
        .map(|p| {
            let mut d = doc! {"host": &p.host};
            match (p.resolve_error, p.hello) {
                (Some(e), _) | (None, Err(e)) => d.insert("error", e),
                (None, Ok(h)) => d.insert("hello", h),
            };
            Bson::Document(d)
        })
        .collect();
    to_js(&doc! {"list": list}, ctx)
}

fn rs_diff(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let old = optional_doc(&arg(args, 0), ctx)?;
    let new = js_to_document(&arg(args, 1), ctx)?;
    let lines = diff::diff(old.as_ref(), &new);
    let summary = diff::summary(old.as_ref(), &new);
    to_js(&doc! {"lines": lines, "summary": summary}, ctx)
}

fn rs_table(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let status = js_to_document(&arg(args, 0), ctx)?;
    let cfg = optional_doc(&arg(args, 1), ctx)?;
    let rows = table::rows(&status, cfg.as_ref());
    let color = host(ctx)?.opts.color;
    let text = table::render(&rows, color);
    let docs: Vec<Bson> = rows
        .iter()
        .map(|r| Bson::Document(r.to_document()))
        .collect();
    to_js(&doc! {"text": text, "rows": docs}, ctx)
}

fn rs_doctor(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let inputs = doctor::Inputs::from_document(&js_to_document(&arg(args, 0), ctx)?);
    let findings = doctor::check(&inputs);
    if finding::verdict(&findings) == Level::Fail {
        CHECK_FAILED.store(true, Ordering::SeqCst);
    }
    let mut out = doctor::report(&findings);
    let text: Vec<String> = findings.iter().map(|f| f.lines("")).collect();
    out.insert("text", text.join("\n"));
    to_js(&out, ctx)
}

fn print_err(_this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let text = arg(args, 0).to_string(ctx)?.to_std_string_escaped();
    // What was printed before must come first when both streams go to one place.
    host(ctx)?.flush();
    let _ = writeln!(std::io::stderr().lock(), "{text}");
    Ok(JsValue::undefined())
}

fn stdout_is_terminal(_this: &JsValue, _args: &[JsValue], _ctx: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(std::io::stdout().is_terminal()))
}

fn json_output(_this: &JsValue, _args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    Ok(JsValue::from(host(ctx)?.opts.json.is_some()))
}
