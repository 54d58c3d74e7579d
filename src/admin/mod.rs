//! Checks for changing and watching a replica set, as pure functions over BSON documents:
//! nothing here talks to a server. The connection layer answers the questions a check needs
//! through the [`probe::Probe`] trait (hello to a host, DNS), so every rule is unit-tested
//! with canned replies.
//!
//! * `preflight`: rules over the config in force, a proposed config and probe results.
//! * `diff`: what changes between two configs (dry runs, one-line summaries).
//! * `doctor`: findings over a running set's status, config and members' replies.
//! * `table`: the `rs.printStatus()` rows.

pub mod config;
pub mod diff;
pub mod doctor;
pub mod finding;
pub mod preflight;
pub mod probe;
pub mod table;

pub use finding::{Finding, Level};
pub use probe::{HostProbe, Probe};
