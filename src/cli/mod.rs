//! Command line (clap) and the connection plan built from it.
//!
//! * `args.rs`: the clap definition ([`Args`]), also the source of the shell completions.
//! * `address.rs`: [`plan`] turns the options into a [`ConnectionPlan`] (reference 6.2 rules).
//! * `hosts.rs` / `uri.rs`: host lists and connection strings.
//! * `password.rs`: the no-echo password prompt for `-p` without a value.
//! * `argv.rs`: hides a command-line password from `ps`.
mod address;
mod args;
mod argv;
pub mod hosts;
mod password;
pub mod uri;

pub use address::{plan, ConnectionPlan, TlsPlan};
pub use args::{Args, JsonArg};
pub use argv::hide_password;
pub use password::prompt_password;

use std::fmt;

/// A bad combination of options or a malformed address: shown as one line, exit status 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl CliError {
    pub fn new(msg: impl Into<String>) -> CliError {
        CliError(msg.into())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

/// The clap command, for completions and help.
pub fn command() -> clap::Command {
    <Args as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests;
