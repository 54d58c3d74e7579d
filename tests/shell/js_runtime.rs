//! Drives `rsh::js::Runtime` in-process, capturing its output.

use std::io::Write;
use std::sync::{Arc, Mutex};

use rsh::js::{EvalError, Runtime, RuntimeOptions};

/// A `Write` whose bytes the test can read back.
#[derive(Clone, Default)]
pub(crate) struct Capture(Arc<Mutex<Vec<u8>>>);

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
    pub(crate) fn take(&self) -> String {
        let mut v = self.0.lock().expect("capture lock");
        String::from_utf8(std::mem::take(&mut *v)).expect("utf8 output")
    }
}

pub(crate) fn runtime() -> (Runtime, Capture) {
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
        "a 1 null undefined\n"
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

/// Output of several lines evaluated one by one in the same runtime, REPL-style.
fn session(lines: &[&str]) -> String {
    let (mut rt, cap) = runtime();
    for l in lines {
        if let Err(e) = rt.eval_print(l, "(shell)") {
            panic!("{l}: {e}");
        }
    }
    cap.take()
}

fn type_error(code: &str) -> String {
    let r = exception(code);
    assert!(
        r.starts_with("uncaught exception: TypeError: "),
        "{code}: {r}"
    );
    r
}

#[test]
fn object_id() {
    let hex = "65a1b2c3d4e5f60718293a4b";
    assert_eq!(
        shows(&format!("ObjectId('{hex}')")),
        format!("ObjectId(\"{hex}\")\n")
    );
    assert_eq!(
        shows(&format!("new ObjectId('{hex}').str")),
        format!("{hex}\n")
    );
    assert_eq!(
        shows(&format!("ObjectId('{hex}').toString()")),
        format!("ObjectId(\"{hex}\")\n")
    );
    assert_eq!(
        shows(&format!("ObjectId('{hex}').valueOf()")),
        format!("{hex}\n")
    );
    assert_eq!(
        shows(&format!("ObjectId('{hex}').equals(ObjectId('{hex}'))")),
        "true\n"
    );
    assert_eq!(
        shows(&format!("ObjectId('{hex}').equals(ObjectId())")),
        "false\n"
    );
    assert_eq!(
        shows(&format!("ObjectId('{hex}').getTimestamp()")),
        "ISODate(\"2024-01-12T21:44:35Z\")\n"
    );
    assert_eq!(shows("ObjectId().str.length"), "24\n");
    assert_eq!(shows("ObjectId() instanceof ObjectId"), "true\n");
    assert_eq!(shows("new ObjectId() instanceof ObjectId"), "true\n");
    type_error("ObjectId('xyz')");
    type_error("ObjectId('zzzzzzzzzzzzzzzzzzzzzzzz')");
    type_error("ObjectId(5)");
}

#[test]
fn number_long_and_int() {
    assert_eq!(shows("NumberLong(5)"), "NumberLong(5)\n");
    assert_eq!(shows("new NumberLong('5')"), "NumberLong(5)\n");
    assert_eq!(
        shows("NumberLong('2147483648')"),
        "NumberLong(\"2147483648\")\n"
    );
    assert_eq!(
        shows("NumberLong('-9223372036854775808')"),
        "NumberLong(\"-9223372036854775808\")\n"
    );
    assert_eq!(shows("NumberLong(5).toString()"), "NumberLong(5)\n");
    assert_eq!(shows("NumberLong(5).toNumber() + 1"), "6\n");
    assert_eq!(shows("NumberLong(5) + 1"), "6\n");
    assert_eq!(shows("NumberLong(5).valueOf()"), "5\n");
    assert_eq!(shows("NumberLong(7).floatApprox"), "7\n");
    assert_eq!(shows("NumberLong(5).equals(NumberLong(5))"), "true\n");
    assert_eq!(shows("NumberLong(5).compare(NumberLong(9))"), "-1\n");
    assert_eq!(shows("print(NumberLong(5))"), "NumberLong(5)\n");
    type_error("NumberLong('abc')");
    type_error("NumberLong({})");
    type_error("NumberLong(Infinity)");
    assert_eq!(shows("NumberInt(5)"), "NumberInt(5)\n");
    assert_eq!(shows("new NumberInt('7')"), "NumberInt(7)\n");
    assert_eq!(shows("NumberInt(5) + 1"), "6\n");
    assert_eq!(
        shows("({a: NumberInt(1), b: 1})"),
        "{ \"a\" : NumberInt(1), \"b\" : 1 }\n"
    );
    type_error("NumberInt(4294967296)");
    type_error("NumberInt('x')");
}

#[test]
fn number_decimal() {
    assert_eq!(shows("NumberDecimal('1.5')"), "NumberDecimal(\"1.5\")\n");
    assert_eq!(shows("NumberDecimal(2)"), "NumberDecimal(\"2\")\n");
    assert_eq!(
        shows("NumberDecimal('1.5').toString()"),
        "NumberDecimal(\"1.5\")\n"
    );
    type_error("NumberDecimal('abc')");
}

#[test]
fn timestamp() {
    assert_eq!(
        shows("Timestamp(1450623497, 1)"),
        "Timestamp(1450623497, 1)\n"
    );
    assert_eq!(shows("new Timestamp(5, 2).t"), "5\n");
    assert_eq!(shows("Timestamp(5, 2).i"), "2\n");
    assert_eq!(shows("Timestamp(5, 2).getTime()"), "5\n");
    assert_eq!(shows("Timestamp(5, 2).getInc()"), "2\n");
    assert_eq!(shows("Timestamp()"), "Timestamp(0, 0)\n");
    type_error("Timestamp(-1, 0)");
    type_error("Timestamp('a', 0)");
}

#[test]
fn binary_types() {
    assert_eq!(shows("BinData(0, 'dz+tLQ==')"), "BinData(0,\"dz+tLQ==\")\n");
    assert_eq!(shows("BinData(0, 'dz+tLQ==').length()"), "4\n");
    assert_eq!(shows("BinData(0, 'dz+tLQ==').hex()"), "773fad2d\n");
    assert_eq!(shows("BinData(3, 'dz+tLQ==').subtype()"), "3\n");
    assert_eq!(shows("HexData(0, '773fad2d')"), "BinData(0,\"dz+tLQ==\")\n");
    assert_eq!(
        shows("UUID('0123456789abcdef0123456789abcdef')"),
        "UUID(\"01234567-89ab-cdef-0123-456789abcdef\")\n"
    );
    assert_eq!(
        shows("UUID('01234567-89ab-cdef-0123-456789abcdef').subtype()"),
        "4\n"
    );
    assert_eq!(shows("UUID().length()"), "16\n");
    assert_eq!(
        shows("MD5('0123456789abcdef0123456789abcdef').subtype()"),
        "5\n"
    );
    type_error("BinData(0, '@@@')");
    type_error("BinData('x', 'AA==')");
    type_error("HexData(0, 'zz')");
    type_error("UUID('1234')");
    type_error("MD5('12')");
}

#[test]
fn keys_dbref_dates_regex() {
    assert_eq!(shows("MinKey"), "{ \"$minKey\" : 1 }\n");
    assert_eq!(shows("MaxKey()"), "{ \"$maxKey\" : 1 }\n");
    assert_eq!(
        shows("({a: MinKey, b: new MaxKey()})"),
        "{ \"a\" : { \"$minKey\" : 1 }, \"b\" : { \"$maxKey\" : 1 } }\n"
    );
    let oid = "65a1b2c3d4e5f60718293a4b";
    assert_eq!(
        shows(&format!("DBRef('coll', ObjectId('{oid}'))")),
        format!("DBRef(\"coll\", ObjectId(\"{oid}\"))\n")
    );
    assert_eq!(shows("DBRef('c', 5, 'db').getDb()"), "db\n");
    assert_eq!(shows("DBRef('c', 5).$ref"), "c\n");
    type_error("DBRef(5, 5)");
    assert_eq!(
        shows("ISODate('2020-01-02T03:04:05.120Z')"),
        "ISODate(\"2020-01-02T03:04:05.120Z\")\n"
    );
    assert_eq!(
        shows("ISODate('2020-01-02')"),
        "ISODate(\"2020-01-02T00:00:00Z\")\n"
    );
    assert_eq!(shows("new Date(0)"), "ISODate(\"1970-01-01T00:00:00Z\")\n");
    assert_eq!(shows("ISODate('2020-01-02') instanceof Date"), "true\n");
    assert_eq!(
        shows("({d: new Date(NaN)})"),
        "{ \"d\" : ISODate(\"0NaN-NaN-NaNTNaN:NaN:NaNZ\") }\n"
    );
    type_error("ISODate('garbage')");
    assert_eq!(shows("/ab+c/i"), "/ab+c/i\n");
    assert_eq!(shows("({r: /x/m})"), "{ \"r\" : /x/m }\n");
}

#[test]
fn repl_result_rules() {
    assert_eq!(shows("({ok: 1})"), "{ \"ok\" : 1 }\n");
    assert_eq!(shows("[1, 2, 3]"), "[ 1, 2, 3 ]\n");
    assert_eq!(shows("null"), "null\n");
    assert_eq!(
        shows("(function f(a) { return a; })"),
        "function f(a) { return a; }\n"
    );
    assert_eq!(
        shows("({tojson: function() { return 'custom'; }})"),
        "custom\n"
    );
    assert_eq!(
        shows("({shellPrint: function() { print('shell printed'); }})"),
        "shell printed\n"
    );
    assert_eq!(
        shows("({a: {b: 1}, s: 'x\"y'})"),
        "{ \"a\" : { \"b\" : 1 }, \"s\" : \"x\\\"y\" }\n"
    );
    assert_eq!(shows("({e: new Error('bad')})"), "{ \"e\" : Error: bad }\n");
    assert_eq!(
        shows("var o = {a: 1}; o.self = o; o"),
        "{ \"a\" : 1, \"self\" : [Circular] }\n"
    );
    assert_eq!(
        shows("({f: function () { return 1; }})"),
        "{ \"f\" : function () { return 1; } }\n"
    );
    let long = format!("({{a: '{}'}})", "x".repeat(67));
    assert_eq!(
        shows(&long),
        format!("{{\n\t\"a\" : \"{}\"\n}}\n", "x".repeat(67))
    );
}

#[test]
fn print_functions() {
    assert_eq!(
        shows("printjson({a: 1, b: [1, 2]})"),
        "{ \"a\" : 1, \"b\" : [ 1, 2 ] }\n"
    );
    assert_eq!(shows("printjson('s')"), "\"s\"\n");
    assert_eq!(
        shows("printjsononeline({a: 1, e: {}})"),
        "{  \"a\" : 1,  \"e\" : {   } }\n"
    );
    assert_eq!(shows("tojson({a: 1}, '', true)"), "{ \"a\" : 1 }\n");
    assert_eq!(shows("tojsononeline({a: 1})"), "{  \"a\" : 1 }\n");
    assert_eq!(shows("tojson([])"), "[ ]\n");
    assert_eq!(shows("print({a: 1}, [1, 2])"), "[object Object] 1,2\n");
}

#[test]
fn json_mode() {
    let opts = RuntimeOptions {
        json: Some(rsh::js::JsonMode::Canonical),
        ..Default::default()
    };
    let (mut rt, cap) = runtime_with(opts);
    rt.eval_print("({n: NumberLong(5)})", "(shell eval)")
        .expect("eval");
    let out = cap.take();
    assert!(out.contains("\"$numberLong\""), "{out}");
    let opts = RuntimeOptions {
        json: Some(rsh::js::JsonMode::Relaxed),
        ..Default::default()
    };
    let (mut rt, cap) = runtime_with(opts);
    rt.eval_print("({a: 1})", "(shell eval)").expect("eval");
    let out = cap.take();
    assert!(out.contains("\"a\"") && !out.contains("$number"), "{out}");
}

#[test]
fn state_persists_between_evaluations() {
    assert_eq!(session(&["var x = 40", "x + 2"]), "42\n");
}

#[test]
fn did_you_mean() {
    let r = exception("prnt('x')");
    assert!(r.contains("ReferenceError"), "{r}");
    assert!(r.ends_with("\nDid you mean print?"), "{r}");
    let r = exception("var x = 1;\n  printjsn(x)");
    assert!(r.contains("\n@(shell):2:3\n"), "{r}");
    assert!(r.ends_with("\nDid you mean printjson?"), "{r}");
    let r = exception("var a = {};\na.foo()");
    assert!(
        r.starts_with("uncaught exception: TypeError: a.foo is not a function :\n@(shell):2:"),
        "{r}"
    );
    assert!(!exception("rs.status()").contains("Did you mean"));
}

#[test]
fn quit_and_exit() {
    let (mut rt, cap) = runtime();
    assert_eq!(
        rt.eval("print('a'); quit(3); print('b')", "(shell)"),
        Err(EvalError::Quit(3))
    );
    assert_eq!(cap.take(), "a\n");
    assert_eq!(
        rt.eval("try { quit(); } catch (e) { print('caught'); }", "(shell)"),
        Err(EvalError::Quit(0))
    );
    assert_eq!(cap.take(), "");
    assert_eq!(rt.eval("exit(2)", "(shell)"), Err(EvalError::Quit(2)));
    // The runtime stays usable.
    rt.eval_print("1", "(shell)").expect("eval");
    assert_eq!(cap.take(), "1\n");
}

#[test]
fn sleep_rules_and_interrupt() {
    let r = exception("sleep()");
    assert!(
        r.contains("sleep takes a single numeric argument -- sleep(milliseconds)"),
        "{r}"
    );
    let r = exception("sleep('x')");
    assert!(r.contains("sleep takes a single numeric argument"), "{r}");
    assert_eq!(shows("sleep(1)"), "");

    let (mut rt, cap) = runtime();
    let flag = rt.interrupt_flag();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    // Without the flag this would run for 10 minutes.
    let r = rt.eval("sleep(600000)", "(shell)");
    setter.join().expect("setter thread");
    assert_eq!(r, Err(EvalError::Interrupted));

    // The interrupt cannot be caught (as in the legacy shell): the catch block never runs.
    // The flag stays up until the stage's owner clears it, so the next evaluation stops too,
    // at its first check.
    let flag = rt.interrupt_flag();
    assert_eq!(
        rt.eval("sleep(1); var m = 'not run'", "(shell)"),
        Err(EvalError::Interrupted)
    );
    flag.store(false, std::sync::atomic::Ordering::SeqCst);
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let r = rt.eval(
        "var m = 'none'; try { sleep(600000) } catch (e) { m = 'caught' }; while (true) print(m)",
        "(shell)",
    );
    setter.join().expect("setter thread");
    assert_eq!(r, Err(EvalError::Interrupted));
    rt.interrupt_flag()
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let _ = cap.take();
    assert_eq!(rt.eval_print("m", "(shell)"), Ok(()));
    assert_eq!(cap.take(), "none\n");
}

#[test]
fn load_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.js");
    std::fs::write(
        &good,
        "var loaded = 7;\nfunction twice(x) { return 2 * x; }\n",
    )
    .expect("write");
    let bad = dir.path().join("bad.js");
    std::fs::write(&bad, "var a = 1;\nvar b = (;\n").expect("write");
    let throws = dir.path().join("throws.js");
    std::fs::write(
        &throws,
        "function boom() {\n  throw new Error('from file');\n}\nboom();\n",
    )
    .expect("write");

    let (mut rt, cap) = runtime();
    let code = format!("load({:?})", good.display().to_string());
    rt.eval_print(&code, "(shell)").expect("load");
    assert_eq!(cap.take(), "true\n");
    rt.eval_print("twice(loaded)", "(shell)").expect("eval");
    assert_eq!(cap.take(), "14\n");

    let bad_name = bad.display().to_string();
    match rt.eval(&format!("load({bad_name:?})"), "(shell)") {
        Err(EvalError::Exception { report }) => {
            assert!(
                report.contains(&format!("error loading js file: {bad_name}")),
                "{report}"
            );
            assert!(report.contains(&format!("@{bad_name}:2:")), "{report}");
        }
        other => panic!("{other:?}"),
    }

    let throws_name = throws.display().to_string();
    match rt.eval(&format!("load({throws_name:?})"), "(shell)") {
        Err(EvalError::Exception { report }) => {
            assert!(
                report.starts_with("uncaught exception: Error: from file :"),
                "{report}"
            );
            assert!(
                report.contains(&format!("boom@{throws_name}:2:")),
                "{report}"
            );
        }
        other => panic!("{other:?}"),
    }

    let r = exception("load('/nonexistent/file.js')");
    assert!(
        r.contains("error loading js file: /nonexistent/file.js"),
        "{r}"
    );

    // run_file names the file in syntax errors too.
    match rt.run_file(&bad) {
        Err(EvalError::Syntax { report }) => {
            assert!(report.contains(&format!("@{bad_name}:2:")), "{report}")
        }
        other => panic!("{other:?}"),
    }
    rt.run_file(&good).expect("run_file");
}

#[test]
fn file_natives() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.txt"), b"hello\0world").expect("write");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let d = dir.path().display().to_string();
    assert_eq!(
        shows(&format!("cat({:?})", format!("{d}/a.txt"))),
        "hello\n"
    );
    assert_eq!(
        shows(&format!("ls({d:?})")),
        format!("[ \"{d}/a.txt\", \"{d}/sub/\" ]\n")
    );
    assert_eq!(
        shows(&format!("listFiles({d:?}).map(function (f) {{ return f.baseName + ':' + f.isDirectory + ':' + f.size; }})")),
        "[ \"a.txt:false:11\", \"sub:true:undefined\" ]\n"
    );
    let r = exception("listFiles('/nonexistent-dir')");
    assert!(
        r.contains("listFiles: no such directory: /nonexistent-dir"),
        "{r}"
    );
    let r = exception("cat('/nonexistent-file')");
    assert!(r.contains("couldn't open file"), "{r}");
    let r = exception("cd()");
    assert!(
        r.contains("cd requires one argument -- cd(directory)"),
        "{r}"
    );
    assert!(!shows("pwd()").trim().is_empty());
    assert!(!shows("hostname()").trim().is_empty());
    assert_eq!(shows("hostname() === getHostName()"), "true\n");
    let r = exception("getHostName(1)");
    assert!(r.contains("getHostName accepts no arguments"), "{r}");
    assert_eq!(shows("typeof version()"), "string\n");
}

#[test]
fn completion() {
    let (mut rt, _cap) = runtime();
    let c = rt.complete("printj");
    assert_eq!(
        c,
        vec!["printjson".to_string(), "printjsononeline".to_string()]
    );
    rt.eval("var rsx = {status: 1, stepDown: 2, other: 3}", "(shell)")
        .expect("eval");
    assert_eq!(
        rt.complete("rsx.st"),
        vec!["rsx.status".to_string(), "rsx.stepDown".to_string()]
    );
    // Methods inherited through prototypes are offered too.
    assert!(rt.complete("ObjectId().getT").is_empty());
    rt.eval("var oid = ObjectId()", "(shell)").expect("eval");
    assert_eq!(
        rt.complete("oid.getT"),
        vec!["oid.getTimestamp".to_string()]
    );
    // Getters are not run.
    rt.eval("var trap = {}; Object.defineProperty(trap, 'g', {get: function () { print('RAN'); return {x: 1}; }})", "(shell)").expect("eval");
    assert!(rt.complete("trap.g.").is_empty());
    assert_eq!(
        rt.complete("DBQuery.shell"),
        vec!["DBQuery.shellBatchSize".to_string()]
    );
}

/// Completion sees through the prelude's `db` proxy (never calling its handler) to the
/// database's name and connection handle and methods; a user's proxy is never run.
#[test]
fn completion_sees_through_the_db_proxy_only() {
    let (mut rt, cap) = runtime();
    rt.eval("void DB; db = new DB({_h: 3}, 'shop')", "(shell)")
        .expect("eval");
    assert_eq!(rt.current_db(), Some((3, "shop".to_string())));
    assert_eq!(rt.complete("db.getNa"), vec!["db.getName".to_string()]);
    assert!(rt.complete("db.con").iter().all(|c| c != "db.constructor"));
    rt.eval(
        "var trapped = new Proxy({}, {get: function () { print('RAN'); return {}; }, \
         ownKeys: function () { print('RAN'); return []; }, \
         getPrototypeOf: function () { print('RAN'); return null; }})",
        "(shell)",
    )
    .expect("eval");
    assert!(rt.complete("trapped.").is_empty());
    assert!(rt.complete("trapped.x.").is_empty());
    // The record is only made on a proxy: on an ordinary object it would be visible.
    rt.eval_print(
        "Object.getOwnPropertyNames(__completionTarget({}, {a: 1})).length",
        "(shell)",
    )
    .expect("eval");
    assert_eq!(cap.take(), "0\n");
    rt.eval("db = 5", "(shell)").expect("eval");
    assert_eq!(rt.current_db(), None);
}

#[test]
fn completion_loads_the_lazy_connection_helpers() {
    let (mut rt, cap) = runtime();
    // Not loaded at start-up: `defaultPrompt` (mongo.js) only exists once the group is.
    rt.eval_print("typeof defaultPrompt", "(shell)")
        .expect("eval");
    assert_eq!(cap.take(), "undefined\n");
    assert_eq!(
        rt.complete("DBCollection.prototype.countD"),
        vec!["DBCollection.prototype.countDocuments".to_string()]
    );
    rt.eval_print("typeof defaultPrompt", "(shell)")
        .expect("eval");
    assert_eq!(cap.take(), "function\n");
}

#[test]
fn shell_helper_words() {
    assert_eq!(shows("shellHelper('it', '')"), "no cursor\n");
    assert_eq!(shows("DBQuery.shellBatchSize"), "20\n");
    assert!(shows("help()").contains("printjson(x)"));
    let r = exception("shellHelper('nope', '')");
    assert!(r.contains("no command [nope]"), "{r}");
}

#[test]
fn colour_only_when_asked() {
    let (mut rt, cap) = runtime_with(RuntimeOptions {
        color: true,
        ..Default::default()
    });
    rt.eval_print("({a: 'x', n: 1})", "(shell)").expect("eval");
    let coloured = cap.take();
    assert!(coloured.contains('\u{1b}'), "{coloured:?}");
    assert_eq!(
        rsh::format::color::strip_ansi(&coloured),
        "{ \"a\" : \"x\", \"n\" : 1 }\n"
    );
    assert!(!shows("({a: 'x', n: 1})").contains('\u{1b}'));
}

#[test]
fn completion_offers_helpers_not_object_internals() {
    let (mut rt, _cap) = runtime();
    let rs_names = rt.complete("rs.");
    assert!(rs_names.contains(&"rs.status".to_string()), "{rs_names:?}");
    for hidden in [
        "rs.apply",
        "rs.bind",
        "rs.call",
        "rs.constructor",
        "rs._runCmd",
    ] {
        assert!(
            !rs_names.contains(&hidden.to_string()),
            "{hidden} in {rs_names:?}"
        );
    }
    // Asked for, internals still complete.
    assert!(rt.complete("rs._run").contains(&"rs._runCmd".to_string()));
    rt.eval("var o = {a: 1}", "(shell)").expect("eval");
    assert_eq!(rt.complete("o."), vec!["o.a".to_string()]);
    // Globals starting with `_` stay (scripts define such names).
    rt.eval("var _mine = 1", "(shell)").expect("eval");
    assert_eq!(rt.complete("_mi"), vec!["_mine".to_string()]);
}
