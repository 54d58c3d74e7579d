//! rsh: a Rust admin shell for MongoDB replica sets.
//!
//! Layers, data flowing one way (each only calls the ones below it):
//!
//! ```text
//! cli     options → a connection plan (URI, direct or replica set, auth, TLS)
//! shell   REPL loop (rustyline) or script runner; shell words (use, show, it, exit)
//! js      boa Context: natives, BSON classes, JS⇄BSON conversion, the JS prelude (rs, db, …)
//! conn    the mongodb driver: selection, commands, cursors, topology view for the prompt
//! format  legacy tojson bytes, one-line cursor form, Extended JSON, colour
//! ```
//! `helpers` is the one table of shell helpers read by help, completion and "did you mean".
//! The sandbox (src/sandbox) is a separate binary and is not part of this library.

pub mod admin;
pub mod cli;
pub mod conn;
pub mod format;
pub mod helpers;
pub mod js;
pub mod shell;

/// Entry point of the `rsh` binary; returns the process exit code.
pub fn run() -> i32 {
    // Deep (but bounded) recursion in the engine, the parser and the printers needs a larger
    // native stack than the main thread's; untouched pages cost nothing.
    let shell = std::thread::Builder::new()
        .name("rsh".into())
        .stack_size(js::budget::THREAD_STACK)
        .spawn(shell::main);
    match shell.map(|t| t.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => 1,
        Err(e) => {
            shell::err_line(&format!("error: cannot start the shell thread: {e}"));
            1
        }
    }
}
