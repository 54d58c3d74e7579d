//! The interactive loop (rustyline): the prompt from `Runtime::prompt()` before every entry,
//! continuation lines read one by one with `... ` while the JavaScript is incomplete (two blank
//! lines cancel), shell words, history and completion.
use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::rc::Rc;

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};

use super::complete::ShellHelper;
use super::history::{self, should_save};
use super::interrupt;
use super::words::{parse_word, Word};
use super::{err_line, out_line};
use crate::js::{is_incomplete, EvalError, Runtime};

/// Source name of REPL input in error reports.
pub const REPL_SOURCE: &str = "(shell)";
/// Two Ctrl-C at the prompt this close together end the session.
const DOUBLE_CTRL_C: std::time::Duration = std::time::Duration::from_secs(1);
/// Prompt of continuation lines.
pub const CONTINUATION_PROMPT: &str = "... ";

/// One entry read from the user.
enum Entry {
    /// Piped input that is not UTF-8: the session ends with this report and status 1.
    BadInput(String),
    /// A complete entry (possibly several lines joined with `\n`).
    Text(String),
    /// Two blank continuation lines, or a line that could not be read: nothing to run.
    Cancelled,
    /// Ctrl-C at the prompt: nothing to run; a second one within a second leaves.
    Interrupted,
    /// Ctrl-D (or end of piped input).
    Eof,
}

/// Run the REPL until the user leaves; returns the exit status (0, or 1 when the last entry
/// failed, or n for `quit(n)`).
pub fn run(runtime: Runtime, quiet: bool) -> i32 {
    let runtime = Rc::new(RefCell::new(runtime));
    let mut editor = match new_editor(&runtime) {
        Ok(e) => e,
        Err(e) => {
            err_line(&format!("cannot start the line editor: {e}"));
            return 1;
        }
    };
    // History only for a person at a terminal; piped input is not history.
    let history = history::history_path().filter(|_| std::io::stdin().is_terminal());
    // The "waiting for a primary" line is for a person at a terminal, never for piped output.
    crate::conn::wait_progress::show_wait_progress(
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    );
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut last_failed = false;
    let mut last_ctrl_c: Option<std::time::Instant> = None;
    // Piped input is read here, not by the line editor, so a line that is not UTF-8 can be
    // named (and a terminal's can be skipped).
    let mut piped = (!std::io::stdin().is_terminal()).then(|| Piped {
        reader: std::io::BufReader::new(std::io::stdin()),
        line: 0,
    });
    loop {
        // Before the prompt: a prompt function must not see the last command's Ctrl-C. A
        // Ctrl-C landing between two prompts is a signal, not a key: it counts as a second one.
        let sigint_between = interrupt::pending();
        interrupt::begin_command();
        if sigint_between && last_ctrl_c.is_some_and(|t| t.elapsed() < DOUBLE_CTRL_C) {
            return leave(quiet, last_failed);
        }
        let prompt = {
            let mut rt = runtime.borrow_mut();
            rt.flush();
            rt.prompt()
        };
        let entry = match piped.as_mut() {
            Some(p) => read_entry(&mut |_: &str| p.read_line(), &prompt),
            None => read_entry(&mut |p: &str| editor_line(&mut editor, p), &prompt),
        };
        let text = match entry {
            Entry::Text(text) => text,
            Entry::Cancelled => continue,
            Entry::Interrupted => {
                // A signal since the prompt began is a Ctrl-C typed while the editor was not
                // reading keys yet.
                if interrupt::pending() || last_ctrl_c.is_some_and(|t| t.elapsed() < DOUBLE_CTRL_C)
                {
                    return leave(quiet, last_failed);
                }
                last_ctrl_c = Some(std::time::Instant::now());
                continue;
            }
            Entry::Eof => return leave(quiet, last_failed),
            Entry::BadInput(report) => {
                err_line(&report);
                return 1;
            }
        };
        let line = text.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(path) = &history {
            remember(&mut editor, path, line);
        }
        let code = match parse_word(line) {
            Some(Word::Exit) => return leave(quiet, last_failed),
            Some(Word::QuitSilently) => return 0,
            Some(Word::Cls) => {
                let _ = editor.clear_screen();
                continue;
            }
            Some(Word::Js(code)) => code,
            None => line.to_string(),
        };
        // Ctrl-C after the entry was read but before it runs: do not run it.
        if interrupt::pending() {
            err_line("interrupted");
            last_failed = true;
            continue;
        }
        let mut rt = runtime.borrow_mut();
        let result = rt.eval_print(&code, REPL_SOURCE);
        rt.flush();
        // Completion's names may have changed (`use`, a write creating a collection, a drop).
        if let Some(h) = editor.helper() {
            h.entry_ran();
        }
        last_failed = match result {
            Ok(()) => false,
            Err(EvalError::Quit(n)) => return n,
            Err(EvalError::Interrupted) => {
                err_line("interrupted");
                true
            }
            Err(EvalError::Exception { report } | EvalError::Syntax { report }) => {
                err_line(&report);
                true
            }
        };
    }
}

fn new_editor(
    runtime: &Rc<RefCell<Runtime>>,
) -> rustyline::Result<Editor<ShellHelper, DefaultHistory>> {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)?
        .history_ignore_space(false)
        .max_history_size(1000)?
        // Like the legacy shell: Tab completes the common prefix, a second Tab lists.
        .completion_type(CompletionType::List)
        .build();
    let mut editor = Editor::with_config(config)?;
    editor.set_helper(Some(ShellHelper::new(runtime.clone())));
    Ok(editor)
}

/// What reading one line gave.
enum Line {
    Text(String),
    Interrupted,
    Eof,
    /// Input that is not UTF-8: the report, and whether the session can go on (a terminal's
    /// line is skipped; piped input ends the session).
    NotUtf8(String, bool),
    Failed(String),
}

/// Piped standard input, read line by line.
struct Piped {
    reader: std::io::BufReader<std::io::Stdin>,
    /// Lines read so far (for error reports).
    line: usize,
}

impl Piped {
    fn read_line(&mut self) -> Line {
        let mut bytes = Vec::new();
        match std::io::BufRead::read_until(&mut self.reader, b'\n', &mut bytes) {
            Ok(0) => return Line::Eof,
            Ok(_) => {}
            Err(e) => return Line::Failed(e.to_string()),
        }
        self.line += 1;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        match String::from_utf8(bytes) {
            Ok(text) => Line::Text(text),
            Err(e) => Line::NotUtf8(
                format!(
                    "error: input line {} is not UTF-8: {}",
                    self.line,
                    not_utf8_detail(e.as_bytes())
                ),
                false,
            ),
        }
    }
}

/// Where the first bytes that are not UTF-8 are in `bytes`, and what they are:
/// `byte 0xE9 at column 11`.
pub fn not_utf8_detail(bytes: &[u8]) -> String {
    let Err(e) = std::str::from_utf8(bytes) else {
        return "no invalid bytes".to_string();
    };
    let at = e.valid_up_to();
    let len = e.error_len().unwrap_or(bytes.len() - at).max(1);
    let bad: Vec<String> = bytes[at..(at + len).min(bytes.len())]
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect();
    let col = String::from_utf8_lossy(&bytes[..at]).chars().count() + 1;
    let what = if bad.len() == 1 { "byte" } else { "bytes" };
    format!("{what} {} at column {col}", bad.join(" "))
}

/// One line from the terminal through the line editor.
fn editor_line(editor: &mut Editor<ShellHelper, DefaultHistory>, prompt: &str) -> Line {
    match editor.readline(prompt) {
        Ok(line) => Line::Text(line),
        Err(ReadlineError::Interrupted) => Line::Interrupted,
        Err(ReadlineError::Eof) => Line::Eof,
        Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
            // The editor stops at the first byte that is not UTF-8 and drops what it read.
            Line::NotUtf8(
                "error: the line typed is not UTF-8 (a byte such as 0xE9, Latin-1 \"é\", was \
                 read); it was not run"
                    .to_string(),
                true,
            )
        }
        Err(e) => Line::Failed(e.to_string()),
    }
}

/// Read a first line, then continuation lines while the JavaScript is incomplete.
fn read_entry(read: &mut dyn FnMut(&str) -> Line, prompt: &str) -> Entry {
    let mut text = match read_line(read, prompt) {
        Ok(line) => line,
        Err(entry) => return entry,
    };
    let mut blanks = 0;
    while is_incomplete(&text) {
        match read_line(read, CONTINUATION_PROMPT) {
            Ok(line) => {
                if line.trim().is_empty() {
                    blanks += 1;
                    if blanks == 2 {
                        return Entry::Cancelled;
                    }
                } else {
                    blanks = 0;
                }
                text.push('\n');
                text.push_str(&line);
            }
            Err(entry) => return entry,
        }
    }
    Entry::Text(text)
}

/// One line, or the entry that ends reading (a bad terminal line cancels the entry).
fn read_line(read: &mut dyn FnMut(&str) -> Line, prompt: &str) -> Result<String, Entry> {
    match read(prompt) {
        Line::Text(t) => Ok(t),
        Line::Interrupted => Err(Entry::Interrupted),
        Line::Eof => Err(Entry::Eof),
        Line::NotUtf8(report, true) => {
            err_line(&report);
            Err(Entry::Cancelled)
        }
        Line::NotUtf8(report, false) => Err(Entry::BadInput(report)),
        Line::Failed(e) => Err(Entry::BadInput(format!("error: cannot read input: {e}"))),
    }
}

/// Add the entry to the history file unless it may hold a secret.
fn remember(editor: &mut Editor<ShellHelper, DefaultHistory>, path: &PathBuf, line: &str) {
    if !should_save(line) {
        return;
    }
    if let Ok(true) = editor.add_history_entry(line) {
        // Appending now keeps the entry even if the session ends with quit(n) or a signal.
        let _ = editor.append_history(path);
        history::restrict_mode(path);
    }
}

/// Ctrl-D or `exit`: `bye` unless --quiet; status 1 when the last entry failed.
fn leave(quiet: bool, last_failed: bool) -> i32 {
    if !quiet {
        out_line("bye");
    }
    i32::from(last_failed)
}
