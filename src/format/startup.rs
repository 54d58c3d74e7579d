//! The legacy 4.4 shell's startup texts: the server's startup warnings (`getLog:
//! "startupWarnings"`, shown when an interactive session starts) and the welcome text shown
//! once, when `~/.mongorc.js` does not exist yet.

use serde_json::Value;

/// The welcome text of the 4.4 shell (printed before a missing `~/.mongorc.js` is created).
pub const WELCOME: &str = "Welcome to the MongoDB shell.\n\
For interactive help, type \"help\".\n\
For more comprehensive documentation, see\n\
\thttps://docs.mongodb.com/\n\
Questions? Try the MongoDB Developer Community Forums\n\
\thttps://community.mongodb.com\n";

/// Indent of each warning line (the 4.4 shell's `messageIndent`).
const INDENT: &str = "        ";

/// The 4.4 block for the lines of `getLog: "startupWarnings"`, or "" when there are none:
///
/// ```text
/// ---
/// The server generated these startup warnings when booting:
///         <t.$date>: <msg>
///         <t.$date>:         <attr name>: <attr value>
/// ---
/// ```
///
/// A line that is not a JSON log line (servers before 4.4) is printed as it is.
pub fn startup_warnings_text(lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("---\nThe server generated these startup warnings when booting: \n");
    for line in lines {
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(entry)) => {
                let date = entry
                    .get("t")
                    .and_then(|t| t.get("$date"))
                    .map(js_string)
                    .unwrap_or_else(|| "undefined".to_string());
                let prefix = format!("{INDENT}{date}: ");
                let msg = entry.get("msg").map(js_string);
                out.push_str(&prefix);
                out.push_str(msg.as_deref().unwrap_or("undefined"));
                out.push('\n');
                if let Some(Value::Object(attr)) = entry.get("attr") {
                    for (name, value) in attr {
                        out.push_str(&format!("{prefix}{INDENT}{name}: {}\n", js_string(value)));
                    }
                }
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.push_str("---\n");
    out
}

/// A parsed JSON value as JavaScript's `String(v)` shows it (the legacy shell concatenates
/// the parsed log fields): objects are `[object Object]`, arrays their elements joined by `,`.
fn js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => crate::format::js_number(f),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Null => String::new(),
                other => js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_warnings_print_nothing() {
        assert_eq!(startup_warnings_text(&[]), "");
    }

    #[test]
    fn json_lines_as_the_44_shell_prints_them() {
        let lines = vec![
            r#"{"t":{"$date":"2020-12-01T12:53:06.846+00:00"},"s":"W","c":"CONTROL","id":22120,"ctx":"initandlisten","msg":"Access control is not enabled for the database. Read and write access to data and configuration is unrestricted","tags":["startupWarnings"]}"#.to_string(),
            r#"{"t":{"$date":"2020-12-01T12:53:06.886+00:00"},"s":"W","c":"CONTROL","id":22184,"ctx":"initandlisten","msg":"Soft rlimits too low","attr":{"currentValue":256,"recommendedMinimum":64000,"ratio":0.5,"nested":{"a":1},"list":[1,"x",null]},"tags":["startupWarnings"]}"#.to_string(),
        ];
        let expected = "---\n\
The server generated these startup warnings when booting: \n\
\x20       2020-12-01T12:53:06.846+00:00: Access control is not enabled for the database. Read and write access to data and configuration is unrestricted\n\
\x20       2020-12-01T12:53:06.886+00:00: Soft rlimits too low\n\
\x20       2020-12-01T12:53:06.886+00:00:         currentValue: 256\n\
\x20       2020-12-01T12:53:06.886+00:00:         recommendedMinimum: 64000\n\
\x20       2020-12-01T12:53:06.886+00:00:         ratio: 0.5\n\
\x20       2020-12-01T12:53:06.886+00:00:         nested: [object Object]\n\
\x20       2020-12-01T12:53:06.886+00:00:         list: 1,x,\n\
---\n";
        assert_eq!(startup_warnings_text(&lines), expected);
    }

    #[test]
    fn old_text_lines_are_printed_as_they_are() {
        let lines = vec![
            "2016-04-28T16:05:57.186+0000 I CONTROL  [initandlisten] ** WARNING: x".to_string(),
        ];
        assert_eq!(
            startup_warnings_text(&lines),
            "---\nThe server generated these startup warnings when booting: \n\
             2016-04-28T16:05:57.186+0000 I CONTROL  [initandlisten] ** WARNING: x\n---\n"
        );
    }

    #[test]
    fn welcome_is_the_44_text() {
        assert!(WELCOME.starts_with("Welcome to the MongoDB shell.\n"));
        assert_eq!(WELCOME.lines().count(), 6);
        assert!(WELCOME.ends_with("\thttps://community.mongodb.com\n"));
    }
}
