//! rsh-sandbox's integration tests in one binary: members started as child processes on free
//! loopback ports, driven over the wire, by the Rust driver, pymongo and mongosh.

// The support crate under the name every module uses for it.
extern crate rsh_testkit as support;

mod auth;
mod auth_keyfile;
mod clients;
mod configs;
mod current_op;
mod data;
mod driver;
mod durability;
mod elections;
mod explain;
mod failover;
mod initial_sync;
mod node;
mod node_set;
mod wire;
mod wire_limits;
