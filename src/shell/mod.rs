//! The shell: REPL (rustyline) and script runner.

/// Parse the command line, run scripts and/or the REPL; returns the exit code.
pub fn main() -> i32 {
    0
}
