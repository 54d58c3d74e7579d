//! Test support shared by the shell's and the simulator's integration tests: where the binaries
//! are, free loopback ports, server processes killed on drop, a raw OP_MSG client, polling, rsh
//! runs, transcript masking and replica-set helpers. Linked once into each crate's test binary.

pub mod auth;
pub mod bins;
pub mod clients;
pub mod cluster;
pub mod mask;
pub mod node;
pub mod poll;
pub mod ports;
pub mod replset;
pub mod session;
pub mod shell;
pub mod started;
pub mod wire;
pub mod wire_tap;

pub use auth::*;
pub use bins::*;
pub use clients::*;
pub use mask::*;
pub use node::*;
pub use poll::*;
pub use ports::*;
pub use replset::*;
pub use shell::*;
pub use started::*;
pub use wire::*;
