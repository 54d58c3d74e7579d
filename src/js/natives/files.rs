//! File-system natives: `load`, `cat`, `ls`, `listFiles`, `pwd`, `cd`.

use std::path::Path;

use boa_engine::object::builtins::JsArray;
use boa_engine::object::ObjectInitializer;
use boa_engine::property::Attribute;
use boa_engine::{js_string, Context, JsResult, JsValue, Script, Source};

use crate::js::args::{describe, error, opt_string, wrong};
use crate::js::host::check_interrupt;
use crate::js::types::common::js_str;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    super::global_fn(ctx, "load", 1, load)?;
    super::global_fn(ctx, "cat", 1, cat)?;
    super::global_fn(ctx, "ls", 1, ls)?;
    super::global_fn(ctx, "listFiles", 1, list_files)?;
    super::global_fn(ctx, "pwd", 0, pwd)?;
    super::global_fn(ctx, "cd", 1, cd)?;
    Ok(())
}

/// Largest file `cat()` returns (legacy limit).
const CAT_LIMIT: u64 = 16 * 1024 * 1024;

/// `load(f1, f2, …)`: run each file in the global scope; returns true.
fn load(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    for a in args {
        check_interrupt(ctx)?;
        let Some(name) = a.as_string().map(|s| s.to_std_string_escaped()) else {
            return Err(error(wrong("load()", "file name", "a string", Some(a))));
        };
        let code = std::fs::read_to_string(&name)
            .map_err(|e| error(format!("error loading js file: {name}: {e}")))?;
        if crate::js::depth::source_too_deep(&code).is_some() {
            return Err(crate::js::depth::too_much_recursion(ctx));
        }
        let source = Source::from_bytes(&code).with_path(Path::new(&name));
        let script = Script::parse(source, None, ctx).map_err(|e| {
            let msg = e
                .as_native()
                .map(|n| n.message().to_string())
                .unwrap_or_else(|| e.to_string());
            let line = crate::js::errors::syntax_line(&msg, &name, &code);
            error(format!("error loading js file: {name}: {line}"))
        })?;
        // The engine's frame limit stops the file with an uncatchable engine error; here, at
        // a native boundary, it becomes the catchable error it is in the legacy shell.
        let interrupt = crate::js::host::host(ctx)?.interrupt.clone();
        crate::js::budget::evaluate_nested(&script, ctx, &interrupt)
            .map_err(|e| crate::js::depth::catchable_limit(e, ctx))?;
    }
    Ok(JsValue::from(true))
}

fn cat(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let path = opt_string(args, 0).ok_or_else(|| {
        error(format!(
            "cat() : argument must be a file name string, got {}",
            describe(args.first())
        ))
    })?;
    if let Some(flag) = args.get(1) {
        if !flag.is_undefined() && flag.as_boolean().is_none() {
            return Err(error("cat() : second argument must be a boolean"));
        }
    }
    let meta =
        std::fs::metadata(&path).map_err(|e| error(format!("couldn't open file {path}: {e}")))?;
    if meta.len() > CAT_LIMIT {
        return Err(error("cat() : file too big to load as a variable"));
    }
    let bytes =
        std::fs::read(&path).map_err(|e| error(format!("couldn't open file {path}: {e}")))?;
    // Legacy behaviour: the text stops at the first NUL byte.
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    Ok(js_str(&String::from_utf8_lossy(&bytes[..end])))
}

/// Directory entries as (path as the legacy shell prints it, is_dir, size), sorted by name.
fn entries(dir: &str) -> Result<Vec<(String, String, bool, u64)>, std::io::Error> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata()?;
        let joined = if dir.ends_with('/') {
            format!("{dir}{name}")
        } else {
            format!("{dir}/{name}")
        };
        out.push((joined, name, meta.is_dir(), meta.len()));
    }
    out.sort();
    Ok(out)
}

fn dir_arg(args: &[JsValue], func: &str) -> JsResult<String> {
    match args.first() {
        None => Ok(".".to_string()),
        Some(v) if v.is_undefined() => Ok(".".to_string()),
        Some(v) => v
            .as_string()
            .map(|s| s.to_std_string_escaped())
            .ok_or_else(|| {
                error(wrong(
                    &format!("{func}()"),
                    "directory",
                    "a string",
                    Some(v),
                ))
            }),
    }
}

fn ls(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let dir = dir_arg(args, "ls")?;
    let list = entries(&dir).map_err(|e| error(format!("ls: cannot list {dir}: {e}")))?;
    let items: Vec<JsValue> = list
        .into_iter()
        .map(|(path, _, is_dir, _)| js_str(&if is_dir { format!("{path}/") } else { path }))
        .collect();
    Ok(JsArray::from_iter(items, ctx).into())
}

fn list_files(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let dir = dir_arg(args, "listFiles")?;
    if !Path::new(&dir).is_dir() {
        return Err(error(format!("listFiles: no such directory: {dir}")));
    }
    let list = entries(&dir).map_err(|e| error(format!("listFiles: cannot list {dir}: {e}")))?;
    let mut items = Vec::with_capacity(list.len());
    for (path, base, is_dir, size) in list {
        let mut init = ObjectInitializer::new(ctx);
        init.property(js_string!("name"), js_str(&path), Attribute::all())
            .property(js_string!("baseName"), js_str(&base), Attribute::all())
            .property(js_string!("isDirectory"), is_dir, Attribute::all());
        if !is_dir {
            init.property(js_string!("size"), size as f64, Attribute::all());
        }
        items.push(JsValue::from(init.build()));
    }
    Ok(JsArray::from_iter(items, ctx).into())
}

fn pwd(_: &JsValue, _: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let dir = std::env::current_dir().map_err(|e| error(format!("pwd: {e}")))?;
    Ok(js_str(&dir.to_string_lossy()))
}

fn cd(_: &JsValue, args: &[JsValue], _: &mut Context) -> JsResult<JsValue> {
    let dir =
        opt_string(args, 0).ok_or_else(|| error("cd requires one argument -- cd(directory)"))?;
    std::env::set_current_dir(&dir)
        .map_err(|e| error(format!("change directory failed: {dir}: {e}")))?;
    Ok(JsValue::undefined())
}
