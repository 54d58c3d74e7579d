//! The one table of shell helpers: name, signature, one-line help. Help text, tab completion
//! and "did you mean" all read it. Rows exist only for what is implemented; the connection
//! layer adds its `rs.*` / `db.*` rows when it lands them.

/// One shell helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Helper {
    /// Dotted path as typed: `"rs.status"`, `"print"`.
    pub path: &'static str,
    /// Call form shown in help: `"rs.status()"`.
    pub signature: &'static str,
    /// One-line description.
    pub help: &'static str,
    /// `Some(replacement advice)` when deprecated.
    pub deprecated: Option<&'static str>,
}

const fn h(path: &'static str, signature: &'static str, help: &'static str) -> Helper {
    Helper {
        path,
        signature,
        help,
        deprecated: None,
    }
}

/// Every helper the shell provides, grouped, in help order.
pub static HELPERS: &[Helper] = &[
    h(
        "print",
        "print(a, b, ...)",
        "print the arguments separated by spaces",
    ),
    h(
        "printjson",
        "printjson(x)",
        "print x as legacy JSON (pretty, one line when short)",
    ),
    h(
        "printjsononeline",
        "printjsononeline(x)",
        "print x as legacy JSON on one line",
    ),
    h(
        "tojson",
        "tojson(x[, indent, nolint])",
        "x as legacy JSON text",
    ),
    h(
        "tojsononeline",
        "tojsononeline(x)",
        "x as legacy JSON text on one line",
    ),
    h(
        "load",
        "load(file, ...)",
        "run JavaScript files in the global scope",
    ),
    h(
        "sleep",
        "sleep(ms)",
        "pause for ms milliseconds (Ctrl-C interrupts)",
    ),
    h("quit", "quit([code])", "leave the shell with an exit code"),
    h("exit", "exit([code])", "leave the shell with an exit code"),
    h("cat", "cat(path)", "the contents of a file as a string"),
    h("ls", "ls([dir])", "list a directory"),
    h(
        "listFiles",
        "listFiles([dir])",
        "list a directory as {name, baseName, isDirectory, size}",
    ),
    h("pwd", "pwd()", "the current directory"),
    h("cd", "cd(dir)", "change the current directory"),
    h("hostname", "hostname()", "the host name of this machine"),
    h(
        "getHostName",
        "getHostName()",
        "the host name of this machine",
    ),
    h("version", "version()", "the shell version"),
    h("help", "help()", "show help"),
    h("ObjectId", "ObjectId([hex])", "a new or given ObjectId"),
    h(
        "ISODate",
        "ISODate([string])",
        "a Date from an ISO-8601 string (now without one)",
    ),
    h("Timestamp", "Timestamp(t, i)", "a BSON timestamp"),
    h("NumberLong", "NumberLong(n or \"n\")", "a 64-bit integer"),
    h("NumberInt", "NumberInt(n)", "a 32-bit integer"),
    h("NumberDecimal", "NumberDecimal(\"n\")", "a 128-bit decimal"),
    h("BinData", "BinData(subtype, base64)", "binary data"),
    h("HexData", "HexData(subtype, hex)", "binary data from hex"),
    h("UUID", "UUID([hex])", "a UUID (binary subtype 4)"),
    h("MD5", "MD5(hex)", "an MD5 digest (binary subtype 5)"),
    h("DBRef", "DBRef(ns, id[, db])", "a database reference"),
    h("MinKey", "MinKey", "the BSON MinKey value"),
    h("MaxKey", "MaxKey", "the BSON MaxKey value"),
];

/// The helper whose path is closest to `name` (Levenshtein distance at most a third of its
/// length, at most 3), for "Did you mean …?" lines. An exact match is not a
/// suggestion.
pub fn did_you_mean(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return None;
    }
    // Short names get no suggestion: `rs` is not a typo of `ls`.
    let limit = (name.chars().count() / 3).min(3);
    if limit == 0 {
        return None;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for helper in HELPERS {
        // Compare like with like: "rs.stats" against full paths, "prnt" against the last part too.
        let last = helper.path.rsplit('.').next().unwrap_or(helper.path);
        let d = if name.contains('.') {
            distance(name, helper.path)
        } else {
            distance(name, helper.path).min(distance(name, last) + usize::from(last != helper.path))
        };
        if d == 0 {
            return None;
        }
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, helper.path));
        }
    }
    best.map(|(_, p)| p)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The helper with exactly this path.
pub fn find(path: &str) -> Option<&'static Helper> {
    HELPERS.iter().find(|h| h.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("prnt"), Some("print"));
        assert_eq!(did_you_mean("printjsn"), Some("printjson"));
        assert_eq!(did_you_mean("print"), None);
        assert_eq!(did_you_mean("zzzzzzzz"), None);
        assert_eq!(did_you_mean("rs"), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn paths_are_unique() {
        for (i, a) in HELPERS.iter().enumerate() {
            assert!(
                HELPERS[i + 1..].iter().all(|b| b.path != a.path),
                "{}",
                a.path
            );
        }
    }
}
