//! `Runtime`: owns the boa `Context` and runs code in it.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use boa_engine::{js_string, Context, JsValue, Script, Source};

use super::host::{self, Host};
use super::{errors, natives, prelude, repl_print, EvalError, RuntimeOptions};

/// One JavaScript runtime: a boa `Context` with the natives, BSON classes and prelude installed.
/// Not `Send`: all JS runs on the thread that created it.
pub struct Runtime {
    ctx: Context,
    interrupt: Arc<AtomicBool>,
}

impl Runtime {
    /// A runtime printing to (buffered) standard output.
    pub fn new(opts: RuntimeOptions) -> Result<Runtime, String> {
        let out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
        Self::with_output(opts, Box::new(out))
    }

    /// A runtime printing to `out` (tests capture output this way).
    pub fn with_output(opts: RuntimeOptions, out: Box<dyn Write>) -> Result<Runtime, String> {
        let mut ctx = boa_engine::context::ContextBuilder::new()
            .host_hooks(std::rc::Rc::new(super::depth::SourceDepthHooks))
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        super::budget::apply_limits(&mut ctx);
        let host = Host::new(opts, out);
        let interrupt = host.interrupt.clone();
        ctx.insert_data(host);
        super::convert::install(&mut ctx)?;
        natives::register_all(&mut ctx).map_err(|e| format!("cannot start the runtime: {e}"))?;
        super::lazy_prelude::install(&mut ctx, prelude::LAZY)
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        let mut rt = Runtime { ctx, interrupt };
        for (name, code) in prelude::PRELUDE {
            rt.eval(code, name)
                .map_err(|e| format!("prelude {name} failed: {e}"))?;
        }
        Ok(rt)
    }

    /// The flag the shell's SIGINT handler sets: the running evaluation stops with
    /// `EvalError::Interrupted`. Evaluations do not clear it; whoever starts a stage does (the
    /// shell at each prompt and script run), so a Ctrl-C landing just as an evaluation begins
    /// still stops it.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Runs `code`; the result is not printed.
    pub fn eval(&mut self, code: &str, source_name: &str) -> Result<(), EvalError> {
        self.run(code, source_name).map(|_| ())
    }

    /// Runs `code` and prints its result by the REPL rules (undefined prints nothing).
    pub fn eval_print(&mut self, code: &str, source_name: &str) -> Result<(), EvalError> {
        let value = self.run(code, source_name)?;
        let result = repl_print::print_result(&value, &mut self.ctx);
        let out = self.finish(result, None);
        self.flush();
        out
    }

    /// Runs a script file in the global scope (source name = the path as given).
    pub fn run_file(&mut self, path: &Path) -> Result<(), EvalError> {
        let bytes = std::fs::read(path).map_err(|e| EvalError::Exception {
            report: format!("error loading js file: {}: {e}", path.display()),
        })?;
        let code = String::from_utf8(bytes).map_err(|e| {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let line_start = bytes[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            let line_end = bytes[at..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |i| at + i);
            EvalError::Exception {
                report: format!(
                    "error loading js file: {}: line {line} is not UTF-8: {}",
                    path.display(),
                    crate::shell::repl::not_utf8_detail(&bytes[line_start..line_end])
                ),
            }
        })?;
        self.eval(&code, &path.to_string_lossy())
    }

    /// The prompt: a global `prompt` string, or the string a `prompt` function returns (a
    /// throwing function falls through), else `defaultPrompt()` if defined, else `"> "`.
    pub fn prompt(&mut self) -> String {
        for name in ["prompt", "defaultPrompt"] {
            let global = self.ctx.global_object();
            let Ok(value) = global.get(js_string!(name), &mut self.ctx) else {
                continue;
            };
            if let Some(s) = value.as_string() {
                if name == "prompt" {
                    return s.to_std_string_escaped();
                }
            }
            if let Some(f) = value.as_callable() {
                if let Ok(v) = f.call(&JsValue::undefined(), &[], &mut self.ctx) {
                    if let Some(s) = v.as_string() {
                        return s.to_std_string_escaped();
                    }
                }
            }
        }
        "> ".to_string()
    }

    /// Completion candidates for a (possibly dotted) word: `"rs.st"` → `["rs.status", …]`.
    pub fn complete(&mut self, word: &str) -> Vec<String> {
        // A lazy prelude group is loaded by our own loader, never by a user getter.
        let head = word.split('.').next().unwrap_or("");
        // `rs` is eager, but its careful helpers (rs.printStatus, rs.waitFor*, rs.doctor)
        // come with the connection group.
        let head = if head == "rs" { "DB" } else { head };
        if word.contains('.') {
            let _ = super::lazy_prelude::load_for(&mut self.ctx, head);
        }
        super::complete::complete(&mut self.ctx, word)
    }

    /// The database the global `db` names now (connection handle, name), read without
    /// running any code; `None` without a connection or when `db` is not a database.
    pub fn current_db(&mut self) -> Option<(usize, String)> {
        super::complete::current_db(&mut self.ctx)
    }

    /// The collection names of `db` on connection `handle`, or `None` when the server did not
    /// answer within `wait`.
    pub fn collection_names(
        &mut self,
        handle: usize,
        db: &str,
        wait: std::time::Duration,
    ) -> Option<Vec<String>> {
        super::natives::conn::connection_at(&self.ctx, handle)?.collection_names(db, wait)
    }

    /// The database names on connection `handle`, or `None` when the server did not answer
    /// within `wait`.
    pub fn database_names(
        &mut self,
        handle: usize,
        wait: std::time::Duration,
    ) -> Option<Vec<String>> {
        super::natives::conn::connection_at(&self.ctx, handle)?.database_names(wait)
    }

    /// Flush buffered output.
    pub fn flush(&mut self) {
        if let Ok(h) = host::host(&self.ctx) {
            h.flush();
        }
    }

    /// Access to the boa context for other layers that extend the runtime (natives for the
    /// connection, tests).
    pub fn context(&mut self) -> &mut Context {
        &mut self.ctx
    }

    fn run(&mut self, code: &str, source_name: &str) -> Result<JsValue, EvalError> {
        if let Ok(h) = host::host(&self.ctx) {
            h.quit.set(None);
        }
        if let Some((line, col)) = super::depth::source_too_deep(code) {
            self.flush();
            return Err(EvalError::Exception {
                report: format!(
                    "uncaught exception: {} :\n@{source_name}:{line}:{col}",
                    super::errors::TOO_MUCH_RECURSION
                ),
            });
        }
        let path = Path::new(source_name);
        let source = Source::from_bytes(code).with_path(path);
        let script = match Script::parse(source, None, &mut self.ctx) {
            Ok(s) => s,
            Err(e) => {
                self.flush();
                return Err(errors::syntax_report(&e, source_name, code));
            }
        };
        let result = match super::budget::evaluate(&script, &mut self.ctx, &self.interrupt) {
            Ok(result) => result,
            Err(super::budget::Stopped::Interrupted) => {
                self.flush();
                return Err(EvalError::Interrupted);
            }
            Err(super::budget::Stopped::OutOfMemory) => Err(super::budget::out_of_memory()),
        };
        let result = match result {
            Ok(v) => self.ctx.run_jobs().map(|_| v),
            Err(e) => Err(e),
        };
        let src = errors::SourceText {
            name: source_name,
            code,
        };
        let out = self.finish(result, Some(src));
        self.flush();
        out
    }

    /// Map an evaluation result into the public error type.
    fn finish<T>(
        &mut self,
        result: boa_engine::JsResult<T>,
        src: Option<errors::SourceText<'_>>,
    ) -> Result<T, EvalError> {
        if let Some(code) = host::host(&self.ctx).ok().and_then(|h| h.quit.get()) {
            return Err(EvalError::Quit(code));
        }
        match result {
            Ok(v) => Ok(v),
            Err(e) => Err(errors::exception_report(e, src, &mut self.ctx)),
        }
    }
}
