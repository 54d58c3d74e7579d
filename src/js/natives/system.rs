//! `sleep`, `quit`/`exit`, `version`, `hostname`, `getHostName`, `help`.

use std::time::{Duration, Instant};

use boa_engine::error::PanicError;
use boa_engine::{Context, JsResult, JsValue};

use crate::js::args::error;
use crate::js::host::{check_interrupt, host, interrupted_error};
use crate::js::types::common::js_str;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    super::global_fn(ctx, "sleep", 1, sleep)?;
    super::global_fn(ctx, "quit", 1, quit)?;
    super::global_fn(ctx, "exit", 1, quit)?;
    super::global_fn(ctx, "version", 0, version)?;
    super::global_fn(ctx, "hostname", 0, hostname)?;
    super::global_fn(ctx, "getHostName", 0, get_host_name)?;
    super::global_fn(ctx, "help", 1, help)?;
    Ok(())
}

/// `sleep(ms)`: exactly one numeric argument; wakes every 10 ms to honour the interrupt flag.
fn sleep(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let ms = match args {
        [v] => v.as_number(),
        _ => None,
    }
    .ok_or_else(|| error("sleep takes a single numeric argument -- sleep(milliseconds)"))?;
    check_interrupt(ctx)?;
    let total = if ms.is_finite() && ms > 0.0 {
        Duration::from_secs_f64(ms / 1000.0)
    } else {
        Duration::ZERO
    };
    let start = Instant::now();
    // Output printed before the pause must be visible during it.
    host(ctx)?.flush();
    loop {
        let left = total.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(JsValue::undefined());
        }
        std::thread::sleep(left.min(Duration::from_millis(10)));
        if host(ctx)?.interrupted() {
            return Err(interrupted_error());
        }
    }
}

/// `quit([code])` / `exit([code])`: ends the evaluation with an error scripts cannot catch;
/// the runtime reports it as `EvalError::Quit(code)`.
fn quit(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let code = args
        .first()
        .and_then(|v| v.as_number())
        .filter(|n| n.is_finite())
        .map(|n| n as i32)
        .unwrap_or(0);
    host(ctx)?.quit.set(Some(code));
    Err(PanicError::new("quit").into())
}

fn version(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(js_str(env!("CARGO_PKG_VERSION")))
}

/// The machine's host name (gethostname(2)).
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its whole length; gethostname NUL-terminates on success
    // (and we cap at the first NUL or the buffer end anyway).
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "localhost".to_string();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

fn hostname(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    Ok(js_str(&host_name()))
}

fn get_host_name(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    if !args.is_empty() {
        return Err(error("getHostName accepts no arguments"));
    }
    Ok(js_str(&host_name()))
}

/// `help()`: the shell words, then the core helpers of the table (`crate::helpers::HELPERS`);
/// `help("db.collection")` etc.: every row under that path, unsupported names with their reason.
fn help(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    if let Some(topic) = args.first().and_then(|v| v.as_string()) {
        let topic = topic.to_std_string_escaped();
        let under = |path: &str| path == topic || path.starts_with(&format!("{topic}."));
        let mut text: String = crate::helpers::all()
            .filter(|h| under(h.path))
            .map(|h| help_line(h.signature, h.help))
            .collect();
        for u in crate::helpers::UNSUPPORTED.iter().filter(|u| under(u.path)) {
            text.push_str(&help_line(
                u.signature,
                &format!("unsupported: {}", u.reason),
            ));
        }
        if text.is_empty() {
            host(ctx)?.write(&format!("no help for {topic}\n"));
            return Ok(JsValue::undefined());
        }
        host(ctx)?.write(&text);
        return Ok(JsValue::undefined());
    }
    host(ctx)?.write(&help_text());
    Ok(JsValue::undefined())
}

fn help_line(left: &str, right: &str) -> String {
    format!("\t{left:<28} {right}\n")
}

/// The general help text.
pub fn help_text() -> String {
    let mut out = String::new();
    for (w, h) in [
        ("use <db_name>", "set current database"),
        ("show dbs", "show database names"),
        ("show collections", "show collections in current database"),
        (
            "it",
            "result of the last line evaluated; use to further iterate",
        ),
        (
            "DBQuery.shellBatchSize = x",
            "set default number of items to display on shell",
        ),
        ("exit", "quit the shell"),
        (
            "help(\"db.collection\")",
            "the legacy 4.4 API by prefix: assert, cursor, db, Mongo, Bulk, session...",
        ),
    ] {
        out.push_str(&help_line(w, h));
    }
    out.push('\n');
    for h in crate::helpers::HELPERS {
        let mut line = help_line(h.signature, h.help);
        if let Some(d) = h.deprecated {
            line.insert_str(line.len() - 1, &format!(" (deprecated: {d})"));
        }
        out.push_str(&line);
    }
    out
}
