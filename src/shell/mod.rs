//! The shell: command line → connection plan → runtime → scripts → REPL.
//!
//! * `script.rs`: `--eval`, files and the rc file, with the legacy exit statuses.
//! * `repl.rs`: the rustyline loop; `words.rs` shell words; `history.rs`; Tab completion in
//!   `complete.rs` (what the line asks for: `complete_syntax.rs`; server names: `complete_cache.rs`).
//! * `interrupt.rs`: SIGINT while a command runs.
//! * `connect.rs`: where the connection layer plugs in.
//!
//! Start-up does only what `rsh --nodb --eval 1` needs: no line editor, no tokio runtime.
mod complete;
mod complete_cache;
mod complete_syntax;
mod connect;
pub mod history;
mod interrupt;
pub mod repl;
pub mod script;
pub mod words;

use std::io::{IsTerminal, Write};

use clap::Parser;

use crate::cli::{self, Args, JsonArg};
use crate::js::{JsonMode, Runtime, RuntimeOptions};
use script::Flow;

/// Parse the command line, run scripts and/or the REPL; returns the exit code.
pub fn main() -> i32 {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // --help and --version land here too (status 0); usage errors give status 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let code = run(&args);
    let flushed = std::io::stdout().lock().flush();
    crate::js::host::note_output_result(flushed);
    match crate::js::host::output_failed() {
        Some(why) if code == 0 => {
            err_line(&format!("error: cannot write the output: {why}"));
            1
        }
        _ => code,
    }
}

/// Run a session for parsed options; returns the exit code.
pub fn run(args: &Args) -> i32 {
    for note in args.legacy_notes() {
        err_line(note);
    }
    if let Some(mb) = args.js_heap_limit_mb {
        crate::js::budget::set_heap_limit_mb(mb);
    }
    if let Some(pw) = args.password.as_deref() {
        cli::hide_password(pw);
    }
    let plan = match cli::plan(args) {
        Ok(plan) => {
            if let Some(pw) = plan.as_ref().and_then(|p| p.password.as_deref()) {
                cli::hide_password(pw);
            }
            plan
        }
        Err(e) => {
            err_line(&format!("error: {e}"));
            return 1;
        }
    };
    let mut rt = match Runtime::new(runtime_options(args)) {
        Ok(rt) => rt,
        Err(e) => {
            err_line(&format!("error: {e}"));
            return 1;
        }
    };
    interrupt::install(rt.interrupt_flag());
    crate::conn::error::set_verbose(args.verbose);
    let connected = plan.is_some();
    if let Some(mut plan) = plan {
        if plan.prompt_password {
            match cli::prompt_password() {
                Ok(pw) => plan.password = Some(pw),
                Err(e) => {
                    err_line(&format!("error: {e}"));
                    return 1;
                }
            }
        }
        if let Err(e) = connect::connect(&mut rt, &plan) {
            err_line(&e);
            err_line("exception: connect failed");
            return 1;
        }
    }
    if let Flow::Exit(code) = script::run_evals_and_files(&mut rt, args) {
        return code;
    }
    if !args.interactive() {
        rt.flush();
        // A script that ran to the end still fails when rs.doctor() found a FAIL.
        if crate::js::natives::conn::admin::check_failed() {
            return crate::js::natives::conn::admin::CHECK_FAILED_STATUS;
        }
        return 0;
    }
    if args.shell && !args.quiet {
        rt.flush();
        out_line("type \"help\" for help");
    }
    let stdin_tty = std::io::stdin().is_terminal();
    if !args.norc {
        if let Flow::Exit(code) = script::run_rc(&mut rt, stdin_tty) {
            return code;
        }
    }
    if connected && !args.quiet && stdin_tty {
        // As the legacy shell: a failure here is not worth stopping the session for.
        let _ = rt.eval("shellHelper.show('startupWarnings')", "(shellwarnings)");
    }
    repl::run(rt, args.quiet)
}

/// Runtime settings from the options: colour only when asked for, on a terminal, without
/// NO_COLOR.
fn runtime_options(args: &Args) -> RuntimeOptions {
    RuntimeOptions {
        json: args.json.map(|j| match j {
            JsonArg::Relaxed => JsonMode::Relaxed,
            JsonArg::Canonical => JsonMode::Canonical,
        }),
        color: crate::format::color::enabled(args.color),
        quiet: args.quiet,
    }
}

/// Print a line on stdout; a closed stream (`rsh … | head`) is not worth a panic, other
/// failures decide the exit status.
pub(crate) fn out_line(text: &str) {
    crate::js::host::note_output_result(writeln!(std::io::stdout().lock(), "{text}"));
}

/// Print a line on stderr, ignoring a closed stream.
pub(crate) fn err_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
