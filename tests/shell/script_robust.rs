//! Scripts and piped input that used to abort or end silently: input that is not UTF-8 (named
//! line, non-zero exit), deep recursion and structures (catchable errors), the heap limit, the
//! legacy flags, one Ctrl-C stopping a pure-JS loop, and a failed write to standard output.

use std::time::Duration;

use support::{rsh, start_rsh};

const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn piped_input_that_is_not_utf8_names_the_line() {
    let out = std::process::Command::new(support::rsh_binary())
        .args(["--nodb", "--quiet"])
        .env("HOME", std::env::temp_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            if let Some(mut i) = c.stdin.take() {
                i.write_all(b"print(1)\nprint('caf\xe9')\nprint(2)\n")?;
            }
            c.wait_with_output()
        })
        .expect("run rsh");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: input line 2 is not UTF-8: byte 0xE9 at column 11\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn script_file_that_is_not_utf8_names_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.js");
    std::fs::write(&path, b"print(1)\n// fine\nvar s = 'caf\xe9';\n").expect("write");
    let file = path.to_string_lossy().into_owned();
    let r = rsh(&["--nodb", "--quiet", &file], "", LIMIT);
    assert_eq!(r.code, 253, "{}", r.all());
    assert!(
        r.stderr.starts_with(&format!(
            "error loading js file: {file}: line 3 is not UTF-8: byte 0xE9 at column 13\n"
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn recursion_and_deep_values_throw_and_the_script_goes_on() {
    let code = r#"
        f = n => n ? 1 + f(n - 1) : 0;
        print(f(10000));
        var a = []; for (var i = 0; i < 100000; i++) a = [a];
        for (const g of [() => JSON.stringify(a), () => String(a), () => a.flat(Infinity),
                         () => a.toLocaleString()]) {
            try { g(); print("no error") } catch (e) { print(e) }
        }
        var shallow = []; for (var i = 0; i < 5000; i++) shallow = [shallow];
        print(JSON.stringify(shallow).length, String(shallow).length, shallow.flat(Infinity).length);
        try { "x".repeat(2 ** 30) } catch (e) { print(e) }
        print(JSON.stringify({a: [1, {b: "c"}]}), [1, [2, [3]]].join("-"));
    "#;
    let r = rsh(&["--nodb", "--quiet", "--eval", code], "", LIMIT);
    assert_eq!(r.code, 0, "{}", r.all());
    let too_deep = "InternalError: too much recursion";
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        vec![
            "10000",
            too_deep,
            too_deep,
            too_deep,
            too_deep,
            "10002 0 0",
            "RangeError: Invalid string length",
            r#"{"a":[1,{"b":"c"}]} 1-2,3"#,
        ],
        "{}",
        r.all()
    );
    // Uncaught, a repeated frame is printed once with the count of its repeats.
    let r = rsh(
        &[
            "--nodb",
            "--quiet",
            "--eval",
            "f = n => n ? 1 + f(n - 1) : 0; f(1e6)",
        ],
        "",
        LIMIT,
    );
    assert_eq!(r.code, 252, "{}", r.all());
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[0],
        "uncaught exception: InternalError: too much recursion :"
    );
    assert_eq!(lines[1], "f@(shell eval):1:19", "{}", r.stderr);
    assert!(
        lines[2].starts_with("... ") && lines[2].ends_with(" more identical frames"),
        "{}",
        r.stderr
    );
    assert!(lines.len() < 6, "{}", r.stderr);
}

#[test]
fn deep_sources_and_recursion_under_callbacks_throw_catchable_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = dir.path().join("deep.js");
    std::fs::write(
        &deep,
        format!("x = {}{};\n", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .expect("write");
    let recursive = dir.path().join("recursive.js");
    std::fs::write(&recursive, "f = n => n ? 1 + f(n - 1) : 0; f(1e6);\n").expect("write");
    let code = format!(
        r#"
        var open = "[".repeat(1e6), close = "]".repeat(1e6);
        try {{ eval(open + close); print("no error") }} catch (e) {{ print("eval:", e) }}
        try {{ new Function("return " + open + close); print("no error") }}
        catch (e) {{ print("Function:", e) }}
        try {{ new Function("a = " + open + close, "return a") }} catch (e) {{ print("params:", e) }}
        try {{ load({deep:?}) }} catch (e) {{ print("load:", e) }}
        try {{ load({recursive:?}) }} catch (e) {{ print("load recursion:", e) }}
        try {{ [1].forEach(function r() {{ r() }}) }} catch (e) {{ print("forEach:", e) }}
        try {{ (function r() {{ r() }}).call(null) }} catch (e) {{ print("call:", e) }}
        try {{ JSON.parse("[1]", function r() {{ return r() }}) }} catch (e) {{ print("reviver:", e) }}
        var parsed = JSON.parse("[".repeat(1e5) + "]".repeat(1e5));
        try {{ JSON.stringify(parsed) }} catch (e) {{ print("stringify:", e) }}
        print("tojson:", tojson(parsed).length > 0);
        print(eval("[[1]]")[0][0], new Function("a", "return [[a]]")(2)[0][0], JSON.parse(open + close).length);
        "#,
        deep = deep.to_string_lossy(),
        recursive = recursive.to_string_lossy(),
    );
    let r = rsh(&["--nodb", "--quiet", "--eval", &code], "", LIMIT);
    assert_eq!(r.code, 0, "{}", r.all());
    let too_deep = "InternalError: too much recursion";
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        vec![
            format!("eval: {too_deep}"),
            format!("Function: {too_deep}"),
            format!("params: {too_deep}"),
            format!("load: {too_deep}"),
            format!("load recursion: {too_deep}"),
            format!("forEach: {too_deep}"),
            format!("call: {too_deep}"),
            format!("reviver: {too_deep}"),
            format!("stringify: {too_deep}"),
            "tojson: true".to_string(),
            "1 2 1".to_string(),
        ],
        "{}",
        r.all()
    );
}

#[test]
fn printjson_of_a_parsed_100k_deep_value_prints_and_the_script_goes_on() {
    let code = r#"printjson(JSON.parse("[".repeat(1e5) + "]".repeat(1e5))); print("after")"#;
    let r = rsh(&["--nodb", "--quiet", "--eval", code], "", LIMIT);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.starts_with("[\n"), "{}", r.all());
    assert!(r.stdout.ends_with("]\nafter\n"), "{}", r.all());
}

/// Run `code` under a 256 MB heap limit: the out-of-memory error is reported uncaught and the
/// statement after it prints `alive`.
fn assert_heap_limit_stops(code: &str) {
    let r = rsh(
        &["--nodb", "--quiet", "--jsHeapLimitMB", "256"],
        code,
        LIMIT,
    );
    assert!(
        r.stderr
            .contains("uncaught exception: RangeError: out of memory"),
        "{}",
        r.all()
    );
    assert_eq!(r.stdout, "alive\n", "{}", r.all());
}

#[test]
fn heap_limit_stops_a_growing_script_and_the_session_goes_on() {
    assert_heap_limit_stops(
        "var s = 'x'; for (var i = 0; i < 40; i++) s = s + s;\ns = null; print('alive')\n",
    );
}

#[test]
fn heap_limit_stops_a_loaded_file_uncaught_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let file = dir.path().join("grow.js");
    std::fs::write(&file, "var s = 'x';\nwhile (true) { s = s + s }\n")
        .unwrap_or_else(|e| panic!("write: {e}"));
    // The loaded file is abandoned, so its error cannot be caught by the caller's `catch`,
    // which would otherwise resume inside the abandoned code.
    assert_heap_limit_stops(&format!(
        "try {{ load({:?}) }} catch (e) {{ print('caught ' + e) }}\ns = null; print('alive')\n",
        file.display().to_string()
    ));
}

#[test]
fn legacy_flags_are_accepted() {
    let r = rsh(
        &[
            "--nodb",
            "--quiet",
            "--ipv6",
            "--disableJavaScriptJIT",
            "--jsHeapLimitMB",
            "512",
            "--eval",
            "print('ok')",
        ],
        "",
        LIMIT,
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stdout, "ok\n");
    assert_eq!(
        r.stderr.lines().collect::<Vec<_>>(),
        vec![
            "note: --ipv6 is not needed: rsh connects to IPv6 addresses without it",
            "note: --disableJavaScriptJIT has no effect: rsh's JavaScript engine has no JIT",
        ]
    );
}

#[test]
fn a_failed_write_to_stdout_fails_the_run() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        println!("notice: no /dev/full here; skipped");
        return;
    };
    let out = std::process::Command::new(support::rsh_binary())
        .args(["--nodb", "--quiet", "--eval", "print('x')"])
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run rsh");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: cannot write the output: "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn one_ctrl_c_stops_a_pure_js_loop() {
    let mut sh = start_rsh(
        &[
            "--nodb",
            "--eval",
            "print('started')",
            "--eval",
            "while (true) {}",
        ],
        true,
    );
    assert_eq!(sh.first_line, "started\n");
    std::thread::sleep(Duration::from_millis(300));
    let pid = libc::pid_t::try_from(sh.child.id()).expect("pid");
    // SAFETY: kill(2) on our own child process.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let status = sh.wait_exit(
        Duration::from_secs(60),
        "one SIGINT did not stop the loop",
        |_| std::thread::sleep(Duration::from_millis(20)),
    );
    let mut err = String::new();
    if let Some(mut e) = sh.child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(err, "interrupted\n");
}

#[test]
fn error_positions_name_the_failing_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let top = dir.path().join("ref.js");
    std::fs::write(&top, "print(1)\nvar a = 2;\nfoo + 1;\n").expect("write");
    let inner = dir.path().join("inner.js");
    std::fs::write(
        &inner,
        "function f() {\n  var x = 1;\n  return missing + x;\n}\nf();\n",
    )
    .expect("write");
    for (path, want) in [
        (
            &top,
            vec![
                "uncaught exception: ReferenceError: foo is not defined :",
                "@{}:3:1",
            ],
        ),
        (
            &inner,
            vec![
                "uncaught exception: ReferenceError: missing is not defined :",
                "f@{}:3:10",
                "@{}:5:2",
            ],
        ),
    ] {
        let name = path.to_string_lossy().into_owned();
        let r = rsh(&["--nodb", "--quiet", &name], "", LIMIT);
        assert_eq!(r.code, 253, "{}", r.all());
        let want: Vec<String> = want.iter().map(|l| l.replace("{}", &name)).collect();
        let got: Vec<&str> = r.stderr.lines().take(want.len()).collect();
        assert_eq!(got, want, "{}", r.stderr);
    }
}
