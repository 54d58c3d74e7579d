//! Uncaught errors of every kind name the line and column of the failing expression in the
//! user's file (never a prelude location), inside and outside functions and through load().

use std::time::Duration;

use support::rsh;

const LIMIT: Duration = Duration::from_secs(60);

/// Two harmless lines, then `third` on line 3.
fn script(third: &str) -> String {
    format!("var a = 1;\nvar b = 2;\n{third}\n")
}

/// The report's header and frame lines from a script run.
fn report(dir: &std::path::Path, name: &str, code: &str) -> (String, Vec<String>) {
    let path = dir.join(name);
    std::fs::write(&path, code).expect("write script");
    let file = path.to_string_lossy().into_owned();
    let r = rsh(&["--nodb", "--quiet", &file], "", LIMIT);
    assert_ne!(r.code, 0, "{name}: {}", r.all());
    assert!(!r.all().contains("prelude/"), "{name}: {}", r.all());
    let mut lines = r.stderr.lines().map(str::to_string);
    let head = lines.next().unwrap_or_default();
    let frames = lines
        .take_while(|l| !l.starts_with("failed to load"))
        .collect();
    (head, frames)
}

/// `frame` is `<fn>@<file>:<line>:<col>` with that line and a column inside it.
fn assert_at(frame: &str, file: &str, line: usize, code: &str) {
    let (_, loc) = frame
        .split_once('@')
        .unwrap_or_else(|| panic!("no location in {frame:?}"));
    let (path, pos) = loc
        .rsplit_once(':')
        .and_then(|(rest, col)| Some((rest.rsplit_once(':')?, col)))
        .map(|((p, l), c)| (p.to_string(), (l.to_string(), c.to_string())))
        .unwrap_or_else(|| panic!("no line:col in {frame:?}"));
    assert!(path.ends_with(file), "{frame:?} is not in {file}");
    assert_eq!(pos.0, line.to_string(), "{frame:?}");
    let col: usize = pos.1.parse().unwrap_or(0);
    let width = code.lines().nth(line - 1).map_or(0, |l| l.chars().count());
    assert!(
        col >= 1 && col <= width + 1,
        "{frame:?}: column outside line {line}"
    );
}

#[test]
fn every_kind_names_line_three() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("type.js", "null.x;", "uncaught exception: TypeError: "),
        (
            "range.js",
            "new Array(-1);",
            "uncaught exception: RangeError: ",
        ),
        (
            "throw.js",
            "throw new Error(\"x\");",
            "uncaught exception: Error: x :",
        ),
        (
            "ref.js",
            "print(nosuchname);",
            "uncaught exception: ReferenceError: nosuchname is not defined :",
        ),
        (
            "helper.js",
            "ObjectId(\"zz\");",
            "uncaught exception: TypeError: invalid ObjectId",
        ),
        (
            "assert.js",
            "assert.eq(1, 2);",
            "uncaught exception: Error: [1] != [2] are not equal :",
        ),
        (
            "eval.js",
            "eval(\"1 +\");",
            "uncaught exception: SyntaxError: unexpected end of input :",
        ),
        (
            "function.js",
            "new Function(\"return (\")();",
            "uncaught exception: SyntaxError: failed to parse function body: unexpected end of input :",
        ),
        (
            "json.js",
            "JSON.parse(\"{bad\");",
            "uncaught exception: SyntaxError: JSON.parse",
        ),
    ];
    for (name, third, head_start) in cases {
        let code = script(third);
        let (head, frames) = report(dir.path(), name, &code);
        assert!(head.starts_with(head_start), "{name}: {head}");
        assert_eq!(frames.len(), 1, "{name}: {frames:?}");
        assert_at(&frames[0], name, 3, &code);
    }
}

#[test]
fn inside_functions_the_failing_line_comes_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, body) in [
        ("ftype.js", "null.x;"),
        ("fthrow.js", "throw new Error(\"x\");"),
        ("fref.js", "return nosuchname;"),
        ("frange.js", "return new Array(-1);"),
    ] {
        let code = format!("var a = 1;\nfunction f() {{\n  {body}\n}}\nf();\n");
        let (head, frames) = report(dir.path(), name, &code);
        assert!(head.starts_with("uncaught exception: "), "{name}: {head}");
        assert_eq!(frames.len(), 2, "{name}: {frames:?}");
        assert!(frames[0].starts_with("f@"), "{name}: {frames:?}");
        assert_at(&frames[0], name, 3, &code);
        assert_at(&frames[1], name, 5, &code);
    }
}

#[test]
fn load_reports_the_loaded_file_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inner = dir.path().join("inner.js");
    let inner_code = script("null.x;");
    std::fs::write(&inner, &inner_code).expect("write");
    let outer_code = format!("print('before');\nload({:?});\n", inner.to_string_lossy());
    let (head, frames) = report(dir.path(), "outer.js", &outer_code);
    assert!(
        head.starts_with("uncaught exception: TypeError: "),
        "{head}"
    );
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_at(&frames[0], "inner.js", 3, &inner_code);
    assert_at(&frames[1], "outer.js", 2, &outer_code);

    // A syntax error in the loaded file names its line and column.
    let bad = dir.path().join("bad.js");
    std::fs::write(&bad, script("var c = (;")).expect("write");
    let outer_code = format!("print('before');\nload({:?});\n", bad.to_string_lossy());
    let (head, frames) = report(dir.path(), "outer2.js", &outer_code);
    assert!(head.contains("SyntaxError: "), "{head}");
    assert!(head.contains("bad.js:3:"), "{head}");
    assert_at(&frames[0], "outer2.js", 2, &outer_code);
}

#[test]
fn deep_recursion_collapses_repeats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let code = script("function f(n) { return f(n + 1); }\nf(0);");
    let (head, frames) = report(dir.path(), "deep.js", &code);
    assert_eq!(
        head,
        "uncaught exception: InternalError: too much recursion :"
    );
    assert_at(&frames[0], "deep.js", 3, &code);
    assert!(
        frames[1].starts_with("... ") && frames[1].ends_with(" more identical frames"),
        "{frames:?}"
    );
    assert_at(&frames[2], "deep.js", 4, &code);
    assert_eq!(frames.len(), 3, "{frames:?}");
}

#[test]
fn mutual_recursion_collapses_to_its_cycle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let code = "var a = 1;\nfunction f(n) { return g(n + 1); }\nfunction g(n) { return f(n + 1); }\nf(0);\n";
    let (head, frames) = report(dir.path(), "mutual.js", code);
    assert_eq!(
        head,
        "uncaught exception: InternalError: too much recursion :"
    );
    assert_eq!(frames.len(), 4, "{frames:?}");
    assert_at(&frames[0], "mutual.js", 2, code);
    assert_at(&frames[1], "mutual.js", 3, code);
    assert!(
        frames[2].starts_with("... ") && frames[2].ends_with(" more identical frames"),
        "{frames:?}"
    );
    assert_at(&frames[3], "mutual.js", 4, code);
}
