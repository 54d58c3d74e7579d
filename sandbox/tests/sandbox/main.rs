//! rsh-sandbox's integration tests in one binary: members started as child processes on free
//! loopback ports, driven over the wire, by the Rust driver, pymongo and mongosh.

// The support crate under the name every module uses for it.
extern crate rsh_testkit as support;

mod admin_cmds;
mod agg_writes;
mod auth;
mod auth_keyfile;
mod catchup;
mod catchup_takeover;
mod clients;
mod configs;
mod current_op;
mod data;
mod driver;
mod durability;
mod elections;
mod explain;
mod fail_points;
mod failover;
mod find_options;
mod fuzz_dispatch;
mod initial_sync;
mod insert_errors;
mod large_batches;
mod long_rollback;
mod long_writes;
mod max_time;
mod newly_added;
mod node;
mod node_set;
mod pipeline_updates;
mod strict_options;
mod tailing;
mod tls;
mod transactions;
mod validation;
mod wire;
mod wire_limits;
mod write_concern_noop;
mod write_concern_stepdown;
