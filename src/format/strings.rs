//! String escaping (JSON.stringify rules), RegExp source text, JS string lengths, and the first
//! line of a multi-line message.

/// The first line of `s`, trimmed: errors from drivers and the engine carry details (stack,
/// source lines) on further lines that a one-line message leaves out.
pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim()
}

/// JSON-escaped string with its quotes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
/// characters below U+0020 as `\u00xx` (lowercase hex), everything else as is.
pub fn escape_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_escaped(&mut out, s);
    out
}

/// Appends `s` JSON-escaped, with its quotes, to `out`.
pub fn write_escaped(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Only ASCII bytes need escaping, so byte positions are always char boundaries here.
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends the JS `RegExp.prototype.source` form of a pattern: `(?:)` when empty, `/` escaped
/// outside character classes, line terminators written as escapes.
pub fn write_regex_source(out: &mut String, pattern: &str) {
    if pattern.is_empty() {
        out.push_str("(?:)");
        return;
    }
    let mut in_class = false;
    let mut escaped = false;
    for c in pattern.chars() {
        if escaped {
            // The character after a backslash is taken literally; a line terminator still
            // has to become printable.
            push_regex_char(out, c);
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                out.push('\\');
                escaped = true;
                continue;
            }
            '[' => in_class = true,
            ']' => in_class = false,
            '/' if !in_class => {
                out.push_str("\\/");
                continue;
            }
            _ => {}
        }
        push_regex_char(out, c);
    }
}

fn push_regex_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\u{2028}' => out.push_str("\\u2028"),
        '\u{2029}' => out.push_str("\\u2029"),
        _ => out.push(c),
    }
}

/// True when the JS length of `s` (UTF-16 code units) is below `limit`. Stops counting early.
pub fn js_len_below(s: &str, limit: usize) -> bool {
    if s.len() < limit {
        return true; // UTF-16 length never exceeds the UTF-8 byte length
    }
    let mut n = 0;
    for c in s.chars() {
        n += c.len_utf16();
        if n >= limit {
            return false;
        }
    }
    true
}

/// The JS length of `s` in UTF-16 code units.
pub fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            escape_string("\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é"),
            "\"\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}é\""
        );
    }

    #[test]
    fn regex_source() {
        let mut s = String::new();
        write_regex_source(&mut s, "a/b[/]\\/c\n");
        assert_eq!(s, "a\\/b[/]\\/c\\n");
        s.clear();
        write_regex_source(&mut s, "");
        assert_eq!(s, "(?:)");
    }

    #[test]
    fn lengths() {
        assert!(js_len_below("abc", 4));
        assert!(!js_len_below("abcd", 4));
        assert_eq!(js_len("é𝄞"), 3);
        assert!(!js_len_below("𝄞𝄞", 4));
    }
}
