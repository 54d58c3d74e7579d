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
/// Prompt of continuation lines.
pub const CONTINUATION_PROMPT: &str = "... ";

/// One entry read from the user.
enum Entry {
    /// A complete entry (possibly several lines joined with `\n`).
    Text(String),
    /// Ctrl-C, or two blank continuation lines: nothing to run.
    Cancelled,
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
    loop {
        let prompt = {
            let mut rt = runtime.borrow_mut();
            rt.flush();
            rt.prompt()
        };
        interrupt::begin_command();
        let text = match read_entry(&mut editor, &prompt) {
            Entry::Text(text) => text,
            Entry::Cancelled => continue,
            Entry::Eof => return leave(quiet, last_failed),
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
    editor.set_helper(Some(ShellHelper {
        runtime: runtime.clone(),
    }));
    Ok(editor)
}

/// Read a first line, then continuation lines while the JavaScript is incomplete.
fn read_entry(editor: &mut Editor<ShellHelper, DefaultHistory>, prompt: &str) -> Entry {
    let mut text = match editor.readline(prompt) {
        Ok(line) => line,
        Err(ReadlineError::Interrupted) => return Entry::Cancelled,
        Err(ReadlineError::Eof) => return Entry::Eof,
        Err(e) => {
            err_line(&format!("cannot read input: {e}"));
            return Entry::Eof;
        }
    };
    let mut blanks = 0;
    while is_incomplete(&text) {
        match editor.readline(CONTINUATION_PROMPT) {
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
            Err(ReadlineError::Interrupted) => return Entry::Cancelled,
            Err(_) => return Entry::Eof,
        }
    }
    Entry::Text(text)
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
