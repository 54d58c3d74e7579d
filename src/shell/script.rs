//! The script runner (reference 5.3, 5.4, 6.4): `--eval` strings, then files, then (interactive
//! sessions only) the rc file. Exit statuses as in the legacy shell: eval failure 252, file
//! failure 253, rc failure 251, `quit(n)` → n. Error reports go to stderr.
use std::io::Write;
use std::path::{Path, PathBuf};

use super::interrupt;
use super::out_line;
use crate::cli::Args;
use crate::js::{EvalError, Runtime};

/// Source name of `--eval` code in error reports.
pub const EVAL_SOURCE: &str = "(shell eval)";
/// Exit status after Ctrl-C stopped a script (128 + SIGINT).
pub const INTERRUPTED_STATUS: i32 = 130;

/// Go on to the next stage, or leave with this status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Exit(i32),
}

/// Run every `--eval` (the last one printed like a REPL result), then every file.
pub fn run_evals_and_files(rt: &mut Runtime, args: &Args) -> Flow {
    // One stage: a Ctrl-C at any point, even between two evaluations, stops the rest.
    interrupt::begin_command();
    let count = args.eval.len();
    for (i, code) in args.eval.iter().enumerate() {
        if interrupt::pending() {
            return failure(rt, &EvalError::Interrupted, -4, &[]);
        }
        let result = if i + 1 == count {
            rt.eval_print(code, EVAL_SOURCE)
        } else {
            rt.eval(code, EVAL_SOURCE)
        };
        if let Err(e) = result {
            return failure(rt, &e, -4, &[]);
        }
    }
    let (_, files) = args.address_and_files();
    for file in &files {
        if files.len() > 1 {
            rt.flush();
            out_line(&format!("loading file: {file}"));
        }
        if interrupt::pending() {
            return failure(rt, &EvalError::Interrupted, -3, &[]);
        }
        if let Err(e) = rt.run_file(Path::new(file)) {
            return failure(rt, &e, -3, &[&format!("failed to load: {file}")]);
        }
    }
    Flow::Continue
}

/// The rc file of interactive sessions: `~/.rshrc.js`, else `~/.mongorc.js`.
pub fn rc_file() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    [".rshrc.js", ".mongorc.js"]
        .iter()
        .map(|name| Path::new(&home).join(name))
        .find(|p| p.is_file())
}

/// Run the rc file if there is one. When there is none and stdin is a terminal, print the
/// legacy welcome text and create an empty `~/.mongorc.js` (so it shows only once).
pub fn run_rc(rt: &mut Runtime, stdin_tty: bool) -> Flow {
    let Some(path) = rc_file() else {
        if stdin_tty {
            welcome(rt);
        }
        return Flow::Continue;
    };
    interrupt::begin_command();
    match rt.run_file(&path) {
        Ok(()) => Flow::Continue,
        Err(e) => {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let line = format!(
                "The \"{}\" file located in your home folder could not be executed",
                name.unwrap_or_default()
            );
            failure(rt, &e, -5, &[&line])
        }
    }
}

/// The first interactive session's greeting; the legacy shell ignores a file it cannot create.
fn welcome(rt: &mut Runtime) {
    rt.flush();
    let _ = write!(
        std::io::stdout().lock(),
        "{}",
        crate::format::startup::WELCOME
    );
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(Path::new(&home).join(".mongorc.js"));
    }
}

/// Report a failed stage on stderr and pick the exit status (`legacy` is the legacy shell's
/// negative code, printed as `exiting with code <n>` and returned modulo 256).
fn failure(rt: &mut Runtime, err: &EvalError, legacy: i32, lines: &[&str]) -> Flow {
    rt.flush();
    let mut stderr = std::io::stderr().lock();
    let status = match err {
        EvalError::Quit(n) => return Flow::Exit(*n),
        EvalError::Interrupted => {
            let _ = writeln!(stderr, "interrupted");
            INTERRUPTED_STATUS
        }
        EvalError::Exception { report } | EvalError::Syntax { report } => {
            let _ = writeln!(stderr, "{report}");
            legacy & 0xff
        }
    };
    for line in lines {
        let _ = writeln!(stderr, "{line}");
    }
    if status != INTERRUPTED_STATUS {
        let _ = writeln!(stderr, "exiting with code {legacy}");
    }
    Flow::Exit(status)
}
