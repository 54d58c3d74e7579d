//! Shell words typed without parentheses (reference 2.2): `use <db>`, `show <what>`, `it`,
//! `help [topic]`, `exit`, `quit`, `cls`. Words that reach JavaScript become calls to the
//! prelude's `shellHelper(word, arg)`; the rest are handled by the REPL itself.

/// What an input line means when it is a shell word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// JavaScript to evaluate and print instead of the line.
    Js(String),
    /// `exit`: leave, printing `bye` unless `--quiet`.
    Exit,
    /// `exit;` or bare `quit`: leave silently with status 0.
    QuitSilently,
    /// `cls`: clear the screen.
    Cls,
}

/// Helper words whose rest-of-line is passed to `shellHelper` as one string argument.
const HELPER_WORDS: [&str; 4] = ["use", "show", "it", "help"];

/// Recognise a shell word; None means the line is JavaScript. The first word (up to a space)
/// must be one of the words exactly, as in the legacy shell, so `help()` or `it = 1` stay JS.
pub fn parse_word(line: &str) -> Option<Word> {
    let line = line.trim();
    match line {
        "exit" => return Some(Word::Exit),
        "exit;" | "quit" | "quit;" => return Some(Word::QuitSilently),
        "cls" | "cls;" => return Some(Word::Cls),
        _ => {}
    }
    let (first, rest) = match line.split_once(char::is_whitespace) {
        Some((first, rest)) => (first, rest),
        None => (line.strip_suffix(';').unwrap_or(line), ""),
    };
    if !HELPER_WORDS.contains(&first) {
        return None;
    }
    let arg = rest.trim();
    let arg = arg.strip_suffix(';').unwrap_or(arg).trim_end();
    // A line like `use = 1` or `show + 2` is JavaScript that happens to start with a word.
    if arg.starts_with(['=', '(', '.', '[', '+', '-', '*', '/', '?', ':', ',']) {
        return None;
    }
    Some(Word::Js(format!(
        "shellHelper({}, {})",
        js_string(first),
        js_string(arg)
    )))
}

/// A JavaScript string literal for `text` (JSON string syntax is valid JavaScript).
fn js_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(line: &str) -> Option<String> {
        match parse_word(line) {
            Some(Word::Js(code)) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn helper_words_become_shell_helper_calls() {
        assert_eq!(
            js("use admin").as_deref(),
            Some(r#"shellHelper("use", "admin")"#)
        );
        assert_eq!(
            js("  use   local ; ").as_deref(),
            Some(r#"shellHelper("use", "local")"#)
        );
        assert_eq!(
            js("show dbs").as_deref(),
            Some(r#"shellHelper("show", "dbs")"#)
        );
        assert_eq!(
            js("show collections;").as_deref(),
            Some(r#"shellHelper("show", "collections")"#)
        );
        assert_eq!(js("it").as_deref(), Some(r#"shellHelper("it", "")"#));
        assert_eq!(js("it;").as_deref(), Some(r#"shellHelper("it", "")"#));
        assert_eq!(js("help").as_deref(), Some(r#"shellHelper("help", "")"#));
        assert_eq!(
            js("help rs").as_deref(),
            Some(r#"shellHelper("help", "rs")"#)
        );
        assert_eq!(
            js(r#"use a"b\c"#).as_deref(),
            Some(r#"shellHelper("use", "a\"b\\c")"#)
        );
    }

    #[test]
    fn javascript_lines_are_left_alone() {
        for line in [
            "help()",
            "it = 1",
            "use = 2",
            "show(1)",
            "user",
            "db.help()",
            "shows dbs",
            "",
            "its",
        ] {
            assert_eq!(parse_word(line), None, "{line}");
        }
    }

    #[test]
    fn leaving_words() {
        assert_eq!(parse_word(" exit "), Some(Word::Exit));
        assert_eq!(parse_word("exit;"), Some(Word::QuitSilently));
        assert_eq!(parse_word("quit"), Some(Word::QuitSilently));
        assert_eq!(parse_word("cls"), Some(Word::Cls));
        assert_eq!(parse_word("exit()"), None);
        assert_eq!(parse_word("quit(2)"), None);
    }
}
