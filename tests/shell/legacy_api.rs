//! The helper table against the runtime and against the list of the 4.4 shell's API names
//! (docs/legacy-api-4.4.txt): every public function of the runtime has a row, every row names
//! something that exists (a function where the row shows a call), every unsupported name's
//! stub throws its reason, and every 4.4 name is implemented or listed as unsupported.

use rsh::helpers;

use crate::js_runtime::runtime;

/// Run `code` in a fresh runtime (every lazy group loaded) and return what it printed.
fn run(code: &str) -> String {
    let (mut rt, cap) = runtime();
    rt.eval(LOAD_ALL, "load_all.js").expect("load every group");
    rt.eval(code, "check.js").expect("check script runs");
    rt.flush();
    cap.take()
}

/// Touch one global of each lazy group, and define the path resolver the checks use.
const LOAD_ALL: &str = r#"
void assert; void DB;
var __receivers = [
    ["db.collection.", [DBCollection.prototype]],
    ["db.", [DB.prototype]],
    ["cursor.", [DBQuery.prototype, DBCommandCursor.prototype]],
    ["Mongo.", [Mongo.prototype]],
    ["session.", [DriverSession.prototype]],
    ["Bulk.", [Bulk.prototype]],
    ["WriteResult.", [WriteResult.prototype]],
    ["BulkWriteResult.", [BulkWriteResult.prototype]],
    ["BulkWriteError.", [BulkWriteError.prototype]],
    ["WriteCommandError.", [WriteCommandError.prototype]],
    ["WriteError.", [WriteError.prototype]]
];
// The value at `path` without running getters: {found, value}.
var __lookup = function (obj, key) {
    for (var o = obj; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
        var d = Object.getOwnPropertyDescriptor(o, key);
        if (d && o === globalThis) {
            // Lazily loaded globals are accessors for good: their value is what counts.
            return {found: true, value: o[key]};
        }
        if (d) {
            return {found: true, value: "value" in d ? d.value : d.get};
        }
    }
    return {found: false};
};
var __resolve = function (path) {
    for (var i = 0; i < __receivers.length; i++) {
        var prefix = __receivers[i][0];
        var rest = path.substring(prefix.length);
        if (path.indexOf(prefix) === 0 && rest.indexOf(".") < 0) {
            var objs = __receivers[i][1];
            for (var j = 0; j < objs.length; j++) {
                var r = __lookup(objs[j], rest);
                if (r.found) {
                    return r;
                }
            }
            return {found: false};
        }
    }
    var cur = {found: true, value: globalThis};
    path.split(".").forEach(function (part) {
        if (cur.found && cur.value !== null && cur.value !== undefined) {
            cur = __lookup(cur.value, part);
        } else {
            cur = {found: false};
        }
    });
    return cur;
};
"#;

/// Names every object has, or that the printer and the REPL call; not API rows of their own.
const PROTOCOL: &[&str] = &[
    "constructor",
    "toString",
    "tojson",
    "toJSON",
    "shellPrint",
    "valueOf",
    "help",
];

#[test]
fn every_public_function_has_a_row() {
    // The globals a bare engine has (Array, Object, ...) are not the shell's.
    let mut bare = boa_engine::Context::default();
    let builtins: Vec<String> = bare
        .global_object()
        .own_property_keys(&mut bare)
        .expect("keys")
        .into_iter()
        .map(|k| k.to_string())
        .collect();
    let script = format!(
        r#"
var builtins = {builtins:?};
var found = [];
// The same function under several names (BulkWriteError's copies of BulkWriteResult's
// methods) is covered by a row for any of them: printed as "name first-name".
var seen = new Map();
var __note = function (path, f) {{
    if (!seen.has(f)) {{
        seen.set(f, path);
    }}
    found.push(path + " " + seen.get(f));
}};
var __add = function (prefix, obj) {{
    Object.getOwnPropertyNames(obj).forEach(function (name) {{
        if (name.charAt(0) === "_" || {protocol:?}.indexOf(name) >= 0) {{
            return;
        }}
        var d = Object.getOwnPropertyDescriptor(obj, name);
        if (d && "value" in d && typeof d.value === "function") {{
            __note(prefix + name, d.value);
        }}
    }});
}};
Object.getOwnPropertyNames(globalThis).forEach(function (name) {{
    if (builtins.indexOf(name) >= 0 || name.charAt(0) === "_") {{
        return;
    }}
    var v = globalThis[name];
    if (typeof v === "function") {{
        __note(name, v);
    }}
}});
__add("assert.", assert);
__add("jsTest.", jsTest);
__add("rs.", rs);
__receivers.forEach(function (r) {{
    r[1].forEach(function (obj) {{ __add(r[0], obj); }});
}});
print(found.join("\n"));
"#,
        protocol = PROTOCOL
    );
    let out = run(&script);
    let has_row = |n: &str| helpers::find(n).is_some() || helpers::unsupported(n).is_some();
    let missing: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(name, first)| !has_row(name) && !has_row(first))
        .map(|(name, _)| name)
        .collect();
    assert!(
        missing.is_empty(),
        "public functions without a row in src/helpers: {missing:?}"
    );
}

#[test]
fn every_row_names_something_that_exists() {
    let mut checks = String::new();
    for h in helpers::all() {
        checks.push_str(&format!("check({:?}, {:?});\n", h.path, h.signature));
    }
    for u in helpers::UNSUPPORTED {
        checks.push_str(&format!("check({:?}, {:?});\n", u.path, u.signature));
    }
    let script = format!(
        r#"
var check = function (path, signature) {{
    var r = __resolve(path);
    var last = path.split(".").pop();
    if (!r.found || r.value === undefined) {{
        print("missing: " + path);
    }} else if (signature.indexOf(last + "(") >= 0 && typeof r.value !== "function") {{
        print("not a function: " + path);
    }}
}};
{checks}
"#
    );
    let out = run(&script);
    assert_eq!(out.trim(), "", "rows naming nothing in the runtime");
}

#[test]
fn unsupported_names_throw_their_reason() {
    let mut checks = String::new();
    for u in helpers::UNSUPPORTED {
        checks.push_str(&format!("check({:?}, {:?});\n", u.path, u.reason));
    }
    let script = format!(
        r#"
var check = function (path, reason) {{
    var r = __resolve(path);
    var f = r.value;
    if (typeof f !== "function") {{
        // An object of stubs (MongoRunner, sh): try its first method.
        var name = Object.keys(f || {{}})[0];
        f = name ? f[name] : undefined;
    }}
    try {{
        f.call({{}});
        print("did not throw: " + path);
    }} catch (e) {{
        var want = path + " is not supported by rsh: " + reason;
        if (String(e.message) !== want) {{
            print(path + ": " + e.message);
        }}
    }}
}};
{checks}
"#
    );
    let out = run(&script);
    assert_eq!(
        out.trim(),
        "",
        "unsupported names that do not explain themselves"
    );
}

#[test]
fn every_4_4_name_is_implemented_or_unsupported() {
    let list = include_str!("../../docs/legacy-api-4.4.txt");
    let names: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(names.len() > 300, "the list has {} names", names.len());
    let missing: Vec<&&str> = names
        .iter()
        .filter(|n| helpers::find(n).is_none() && helpers::unsupported(n).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "4.4 names neither implemented nor unsupported: {missing:?}"
    );
}
