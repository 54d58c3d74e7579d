//! Mapping boa errors to the legacy 4.4 reports:
//! `uncaught exception: Error: <msg> :` + one frame per line (`fn@file:line:col`).

use boa_engine::{js_string, Context, JsError, JsValue};

use super::EvalError;

/// A parse failure → one line: `SyntaxError: <msg> @<file>:<line>:<col>`.
pub fn syntax_report(err: &JsError, source_name: &str, code: &str) -> EvalError {
    let text = match err.as_native() {
        Some(n) => n.message().to_string(),
        None => err.to_string(),
    };
    EvalError::Syntax {
        report: syntax_line(&text, source_name, code),
    }
}

/// Formats a boa parser message (which ends in `at line L, col C`, or is `abrupt end`) with the
/// source name added.
pub fn syntax_line(message: &str, source_name: &str, code: &str) -> String {
    if let Some((msg, line, col)) = split_position(message) {
        return format!("SyntaxError: {msg} @{source_name}:{line}:{col}");
    }
    // No position (abrupt end): point after the last character.
    let line = code.lines().count().max(1);
    let col = code
        .lines()
        .last()
        .map(|l| l.chars().count() + 1)
        .unwrap_or(1);
    let msg = if message == "abrupt end" {
        "unexpected end of input"
    } else {
        message
    };
    format!("SyntaxError: {msg} @{source_name}:{line}:{col}")
}

/// A SyntaxError thrown at run time (by `eval`, `Function`, `load`…): the engine's position is
/// inside the evaluated text, which the stack does not show, so it is said in words; the
/// stack points at the call in the user's file.
fn evaluated_syntax_message(message: &str) -> String {
    if let Some(lead) = message.strip_suffix("abrupt end") {
        // `abrupt end`, or `failed to parse function body: abrupt end` (new Function).
        return format!("{lead}unexpected end of input");
    }
    match split_position(message) {
        Some((msg, line, col)) => {
            format!("{msg} (line {line}, column {col} of the evaluated text)")
        }
        None => message.to_string(),
    }
}

/// `"... at line 2, col 9"` → `("...", 2, 9)`.
fn split_position(message: &str) -> Option<(&str, u32, u32)> {
    let at = message.rfind(" at line ")?;
    let rest = &message[at + " at line ".len()..];
    let (line, col) = rest.split_once(", col ")?;
    Some((&message[..at], line.parse().ok()?, col.trim().parse().ok()?))
}

/// The code an error came from, to fill in what boa's report lacks.
#[derive(Clone, Copy)]
pub struct SourceText<'a> {
    pub name: &'a str,
    pub code: &'a str,
}

/// An uncaught runtime error → `EvalError` (interrupts and thrown values included).
pub fn exception_report(err: JsError, src: Option<SourceText<'_>>, ctx: &mut Context) -> EvalError {
    if super::host::is_interrupt(&err) {
        return EvalError::Interrupted;
    }
    if super::budget::is_nested_out_of_memory(&err) {
        return exception_report(super::budget::out_of_memory(), src, ctx);
    }
    let display = err.to_string();
    let mut frames = user_frames_first(frames_from_display(&display));
    let head = match err.as_opaque() {
        Some(value) => opaque_head(value, ctx),
        None => match err.try_native(ctx) {
            Ok(native) => {
                let msg = native.message().trim().to_string();
                let kind = native.kind().to_string();
                let msg = if kind == "SyntaxError" {
                    evaluated_syntax_message(&msg)
                } else {
                    msg
                };
                let msg = match src {
                    Some(src) => improve_message(&kind, msg, &mut frames, src),
                    None => msg,
                };
                Head::Error(if msg.is_empty() {
                    kind
                } else {
                    format!("{kind}: {msg}")
                })
            }
            // Engine errors (runtime limits) have no JS form; they read as SpiderMonkey's.
            Err(_) => Head::Error(engine_error_text(crate::format::first_line(&display))),
        },
    };
    let text = match head {
        Head::Value(text) => format!("uncaught exception: {text}"),
        Head::Error(text) => {
            let mut report = format!("uncaught exception: {text} :");
            for f in &frames {
                report.push('\n');
                report.push_str(f);
            }
            if let Some(name) = missing_name(&text) {
                // `re.initiate(…)` fails on `re`: suggest for the whole dotted path typed.
                let dotted = src.and_then(|s| dotted_path(s.code, name));
                let line = dotted
                    .as_deref()
                    .and_then(crate::helpers::suggestion_line)
                    .or_else(|| crate::helpers::suggestion_line(name));
                if let Some(line) = line {
                    report.push('\n');
                    report.push_str(&line);
                }
            }
            report
        }
    };
    EvalError::Exception { report: text }
}

enum Head {
    /// A thrown Error: printed with ` :` and its stack.
    Error(String),
    /// A thrown non-error value: printed alone.
    Value(String),
}

fn opaque_head(value: &JsValue, ctx: &mut Context) -> Head {
    if let Some(obj) = value.as_object() {
        if obj.is::<boa_engine::builtins::error::Error>() {
            let text = obj
                .get(js_string!("toString"), ctx)
                .ok()
                .and_then(|f| f.as_callable())
                .and_then(|f| f.call(value, &[], ctx).ok())
                .and_then(|v| v.as_string())
                .map(|s| s.to_std_string_escaped())
                .unwrap_or_else(|| "Error".to_string());
            return Head::Error(text);
        }
    }
    let text = super::convert::js_to_display_string(value, ctx);
    Head::Value(text)
}

/// The text of an engine error: running out of frames or stack is SpiderMonkey's
/// `InternalError: too much recursion`.
fn engine_error_text(line: &str) -> String {
    if line.starts_with("RuntimeLimitError") && !line.contains("loop") {
        return TOO_MUCH_RECURSION.to_string();
    }
    line.to_string()
}

/// What running out of frames reads as (the legacy shell's SpiderMonkey text).
pub const TOO_MUCH_RECURSION: &str = "InternalError: too much recursion";

/// Frames of the user's code only when there are any (the prelude's are not the user's
/// concern), with runs of one repeated frame collapsed into one line and a count, and at
/// most [`MAX_FRAMES`] of them.
fn user_frames_first(frames: Vec<String>) -> Vec<String> {
    let is_prelude = |f: &String| {
        f.split_once('@')
            .is_some_and(|(_, l)| l.starts_with("prelude/"))
    };
    let frames: Vec<String> = if frames.iter().any(|f| !is_prelude(f)) {
        frames.into_iter().filter(|f| !is_prelude(f)).collect()
    } else {
        frames
    };
    let mut out = collapse_cycles(&frames);
    if out.len() > MAX_FRAMES {
        let more = out.len() - MAX_FRAMES;
        out.truncate(MAX_FRAMES);
        out.push(format!("... {more} more frames"));
    }
    out
}

/// Longest cycle of frames collapsed (mutual recursion through up to this many functions).
const MAX_CYCLE: usize = 4;

/// A frame (or a cycle of up to [`MAX_CYCLE`] frames, for mutual recursion) that repeats right
/// after itself is printed once, followed by how many frames repeat it.
fn collapse_cycles(frames: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < frames.len() {
        // (cycle length, frames repeating it) with the most repeats; shorter cycles win ties.
        let mut best: Option<(usize, usize)> = None;
        for p in 1..=MAX_CYCLE {
            if i + p > frames.len() {
                break;
            }
            let mut run = 0;
            while i + p + run < frames.len() && frames[i + p + run] == frames[i + run] {
                run += 1;
            }
            if run >= p && best.is_none_or(|(_, r)| run > r) {
                best = Some((p, run));
            }
        }
        match best {
            Some((p, run)) => {
                out.extend(frames[i..i + p].iter().cloned());
                out.push(more_identical(run));
                i += p + run;
            }
            None => {
                out.push(frames[i].clone());
                i += 1;
            }
        }
    }
    out
}

fn more_identical(n: usize) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("... {n} more identical frame{s}")
}

/// Frames printed at most (deep recursion would otherwise print thousands of lines).
const MAX_FRAMES: usize = 20;

/// boa's backtrace lines `    at f (file:1:2)` → `f@file:1:2` (innermost first; native frames
/// dropped; `<main>` becomes the empty name like SpiderMonkey's top-level frame).
fn frames_from_display(display: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in display.lines().skip(1) {
        let Some(entry) = line.trim_start().strip_prefix("at ") else {
            continue;
        };
        let Some(open) = entry.find(" (") else {
            continue;
        };
        let name = &entry[..open];
        let loc = entry[open + 2..]
            .strip_suffix(')')
            .unwrap_or(&entry[open + 2..]);
        if loc == "native" || loc.starts_with("native at ") {
            continue;
        }
        let name = if name == "<main>" { "" } else { name };
        out.push(format!("{name}@{loc}"));
    }
    out
}

/// boa leaves some positions unknown (`?:?`, for global ReferenceErrors) and does not name
/// the callee of "not a callable function": recover both from the source text.
fn improve_message(kind: &str, msg: String, frames: &mut [String], src: SourceText<'_>) -> String {
    let prefix = format!("@{}:", src.name);
    if let Some(name) = msg.strip_suffix(" is not defined") {
        if let Some((line, col)) = find_word(src.code, name, (1, 1)) {
            for f in frames.iter_mut() {
                if f.ends_with(&format!("{prefix}?:?")) {
                    let fn_name = &f[..f.len() - prefix.len() - 3];
                    *f = format!("{fn_name}{prefix}{line}:{col}");
                    break;
                }
            }
        }
        // Inside a function the engine may point at its header: the name is further on.
        if let Some(top) = frames.first_mut() {
            if let Some((fn_name, loc)) = top.split_once(&prefix) {
                let at = loc
                    .split_once(':')
                    .and_then(|(l, c)| Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?)));
                if let Some(at) = at {
                    if find_word(src.code, name, at) != Some(at) {
                        if let Some((line, col)) = find_word(src.code, name, at) {
                            *top = format!("{fn_name}{prefix}{line}:{col}");
                        }
                    }
                }
            }
        }
        return msg;
    }
    if kind == "TypeError" && msg == "not a callable function" {
        let top = frames
            .first()
            .and_then(|f| f.split_once(&prefix))
            .map(|(_, loc)| loc.to_string());
        if let Some((line, col)) = top.and_then(|loc| {
            let (l, c) = loc.split_once(':')?;
            Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?))
        }) {
            if let Some(callee) = callee_at(src.code, line, col) {
                return format!("{callee} is not a function");
            }
        }
    }
    msg
}

/// 1-based line and column of the first whole-word occurrence of `word` in `code` at or after
/// `from` (line, column).
fn find_word(code: &str, word: &str, from: (usize, usize)) -> Option<(usize, usize)> {
    if word.is_empty() {
        return None;
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    for (li, line) in code.lines().enumerate() {
        if li + 1 < from.0 {
            continue;
        }
        let mut start = if li + 1 == from.0 {
            line.char_indices()
                .nth(from.1.saturating_sub(1))
                .map_or(line.len(), |(i, _)| i)
        } else {
            0
        };
        while let Some(pos) = line[start..].find(word) {
            let at = start + pos;
            let before = line[..at].chars().next_back();
            let after = line[at + word.len()..].chars().next();
            let clean = before.is_none_or(|c| !is_ident(c) && c != '.')
                && after.is_none_or(|c| !is_ident(c));
            if clean {
                return Some((li + 1, line[..at].chars().count() + 1));
            }
            start = at + word.len();
        }
    }
    None
}

/// The dotted callee written just before the `(` at (line, col), e.g. `rs.stats`.
fn callee_at(code: &str, line: usize, col: usize) -> Option<String> {
    let text: Vec<char> = code.lines().nth(line.checked_sub(1)?)?.chars().collect();
    let is_part = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.';
    let open = col.checked_sub(1)?;
    let mut end = if text.get(open) == Some(&'(') {
        open
    } else {
        return None;
    };
    while end > 0 && text[end - 1].is_whitespace() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_part(text[start - 1]) {
        start -= 1;
    }
    let callee: String = text[start..end].iter().collect();
    let callee = callee.trim_matches('.').to_string();
    (!callee.is_empty()).then_some(callee)
}

/// The identifier named by "x is not defined" / "x is not a function" messages.
/// `name.member` as written in `code`, when `name` is followed by a property access.
fn dotted_path(code: &str, name: &str) -> Option<String> {
    let (line, col) = find_word(code, name, (1, 1))?;
    let text = code.lines().nth(line - 1)?;
    let start: usize = text.chars().take(col - 1).map(char::len_utf8).sum();
    let rest = text.get(start + name.len()..)?.strip_prefix('.')?;
    let member: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    (!member.is_empty()).then(|| format!("{name}.{member}"))
}

fn missing_name(text: &str) -> Option<&str> {
    let msg = text.split_once(": ").map(|(_, m)| m)?;
    for suffix in [
        " is not defined",
        " is not a function",
        " is not a callable function",
        " is not callable",
    ] {
        if let Some(name) = msg.strip_suffix(suffix) {
            return Some(name.trim());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_mapped() {
        let d = "Error: x (a.js:1:1)\n    at f (a.js:3:11)\n    at print (native)\n    at <main> ((shell):7:2)";
        assert_eq!(frames_from_display(d), vec!["f@a.js:3:11", "@(shell):7:2"]);
    }

    #[test]
    fn repeats_collapse_and_prelude_frames_go() {
        let frames = [
            "f@a.js:1:5",
            "f@a.js:1:5",
            "f@a.js:1:5",
            "g@prelude/rs.js:3:1",
            "@a.js:2:1",
        ];
        assert_eq!(
            user_frames_first(frames.iter().map(|s| s.to_string()).collect()),
            vec!["f@a.js:1:5", "... 2 more identical frames", "@a.js:2:1"]
        );
        assert_eq!(
            engine_error_text(
                "RuntimeLimitError: reached the maximum number of recursive calls on this execution"
            ),
            TOO_MUCH_RECURSION
        );
    }

    #[test]
    fn recovered_names_and_positions() {
        let src = SourceText {
            name: "(shell)",
            code: "var a = 1;\nrs.stats()",
        };
        let mut frames = vec!["@(shell):2:9".to_string()];
        let msg = improve_message(
            "TypeError",
            "not a callable function".into(),
            &mut frames,
            src,
        );
        assert_eq!(msg, "rs.stats is not a function");
        let src = SourceText {
            name: "(shell)",
            code: "var prn = 1;\n  prnt(x)",
        };
        let mut frames = vec!["@(shell):?:?".to_string()];
        improve_message(
            "ReferenceError",
            "prnt is not defined".into(),
            &mut frames,
            src,
        );
        assert_eq!(frames, vec!["@(shell):2:3"]);
    }

    #[test]
    fn mutual_recursion_collapses_to_one_cycle() {
        let mut frames: Vec<String> = Vec::new();
        for _ in 0..50 {
            frames.push("a@x.js:1:20".into());
            frames.push("b@x.js:2:20".into());
        }
        frames.push("@x.js:3:1".into());
        assert_eq!(
            collapse_cycles(&frames),
            vec![
                "a@x.js:1:20",
                "b@x.js:2:20",
                "... 98 more identical frames",
                "@x.js:3:1"
            ]
        );
        // Distinct frames stay as they are.
        let plain: Vec<String> = ["f@x.js:1:1", "g@x.js:2:1", "@x.js:3:1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(collapse_cycles(&plain), plain);
    }

    #[test]
    fn evaluated_syntax_errors_say_where_in_words() {
        assert_eq!(
            evaluated_syntax_message("abrupt end"),
            "unexpected end of input"
        );
        assert_eq!(
            evaluated_syntax_message("unexpected token ';', primary expression at line 1, col 10"),
            "unexpected token ';', primary expression (line 1, column 10 of the evaluated text)"
        );
    }

    #[test]
    fn syntax_positions() {
        assert_eq!(
            syntax_line(
                "unexpected token ')', primary expression at line 2, col 9",
                "f.js",
                ""
            ),
            "SyntaxError: unexpected token ')', primary expression @f.js:2:9"
        );
        assert_eq!(
            syntax_line("abrupt end", "(shell)", "f(\n  1,"),
            "SyntaxError: unexpected end of input @(shell):2:5"
        );
    }
}
