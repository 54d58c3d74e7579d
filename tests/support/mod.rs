//! Test support shared by every integration test that runs servers or rsh: free loopback
//! ports, server processes killed on drop, a raw OP_MSG client, polling, rsh runs, transcript
//! masking and replica-set helpers.
// Each test file uses its own subset, so unused items and re-exports are expected.
#![allow(dead_code, unused_imports)]

pub mod auth;
pub mod mask;
pub mod node;
pub mod poll;
pub mod ports;
pub mod replset;
pub mod session;
pub mod shell;
pub mod started;
pub mod wire;

pub use auth::*;
pub use mask::*;
pub use node::*;
pub use poll::*;
pub use ports::*;
pub use replset::*;
pub use shell::*;
pub use started::*;
pub use wire::*;
