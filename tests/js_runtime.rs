//! Drives `rsh::js::Runtime` in-process, capturing its output.

use std::io::Write;
use std::sync::{Arc, Mutex};

use rsh::js::{EvalError, Runtime, RuntimeOptions};

/// A `Write` whose bytes the test can read back.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::ErrorKind::Other)?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn take(&self) -> String {
        let mut v = self.0.lock().expect("capture lock");
        String::from_utf8(std::mem::take(&mut *v)).expect("utf8 output")
    }
}

fn runtime() -> (Runtime, Capture) {
    runtime_with(RuntimeOptions::default())
}

fn runtime_with(opts: RuntimeOptions) -> (Runtime, Capture) {
    let cap = Capture::default();
    let rt = Runtime::with_output(opts, Box::new(cap.clone())).expect("runtime starts");
    (rt, cap)
}

/// Output of `code` evaluated with REPL printing.
fn shows(code: &str) -> String {
    let (mut rt, cap) = runtime();
    match rt.eval_print(code, "(shell)") {
        Ok(()) => cap.take(),
        Err(e) => panic!("{code}: {e}"),
    }
}

fn exception(code: &str) -> String {
    let (mut rt, _cap) = runtime();
    match rt.eval(code, "(shell)") {
        Err(EvalError::Exception { report }) => report,
        other => panic!("{code}: expected an exception, got {other:?}"),
    }
}

#[test]
fn prints_primitives() {
    assert_eq!(shows("1 + 1"), "2\n");
    assert_eq!(shows("0.1 + 0.2"), "0.30000000000000004\n");
    assert_eq!(shows("'abc'"), "abc\n");
    assert_eq!(shows("true"), "true\n");
    assert_eq!(shows("undefined"), "");
    assert_eq!(shows("var x = 3"), "");
}

#[test]
fn print_joins_arguments() {
    assert_eq!(
        shows("print('a', 1, null, undefined)"),
        "a 1 [unknown type] [unknown type]\n"
    );
    assert_eq!(shows("print()"), "\n");
}

#[test]
fn uncaught_error_report() {
    let r = exception("throw new Error('boom')");
    assert!(r.starts_with("uncaught exception: Error: boom :\n"), "{r}");
    assert!(
        r.lines().last().unwrap_or("").starts_with("@(shell):1:"),
        "{r}"
    );
    assert_eq!(exception("throw 42"), "uncaught exception: 42");
    let r = exception("function f() { throw new TypeError('bad'); }\nf()");
    assert!(
        r.starts_with("uncaught exception: TypeError: bad :\nf@(shell):1:"),
        "{r}"
    );
}

#[test]
fn syntax_error_names_source() {
    let (mut rt, _cap) = runtime();
    match rt.eval("x y", "(shell)") {
        Err(EvalError::Syntax { report }) => {
            assert!(report.starts_with("SyntaxError: "), "{report}");
            assert!(report.ends_with("@(shell):1:3"), "{report}");
            assert_eq!(report.lines().count(), 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn prompt_rules() {
    let (mut rt, _cap) = runtime();
    assert_eq!(rt.prompt(), "> ");
    rt.eval("prompt = 'x> '", "(shell)").expect("eval");
    assert_eq!(rt.prompt(), "x> ");
    rt.eval("prompt = function() { return 'fn> '; }", "(shell)")
        .expect("eval");
    assert_eq!(rt.prompt(), "fn> ");
    rt.eval("prompt = function() { throw new Error('no'); }", "(shell)")
        .expect("eval");
    assert_eq!(rt.prompt(), "> ");
}

#[test]
fn incomplete_input() {
    assert!(rsh::js::is_incomplete("function f() {"));
    assert!(!rsh::js::is_incomplete("f()"));
}
